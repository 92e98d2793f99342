"""The words of every notification: a Chameleon file per kind and language, which a deployment may
replace with its own.

A letter template renders an XML document: ``<subject>``, a ``<body>`` of blocks (``<p>`` a
paragraph, ``<pre>`` the person's own text as typed, ``<block>`` of ``<line>``s without blank
lines between, ``<signature>`` after the "-- " line) and the ``<sms>`` text. The package's files
(``notifications/texts/<kind>.pt``) are translated through the catalogs (``i18n:translate``); a
deployment's folder (``portal.notifications.templates``) is looked in first, for
``<kind>.<language>.pt`` and then ``<kind>.pt``, so it can word one language or every language of
a letter its own way. Values are escaped by Chameleon as in any page, so nothing a person typed
can add markup, a line to the subject or a header.
"""
import html
import os
import re
import weakref
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from chameleon import PageTemplateFile
from pyramid.i18n import TranslationString
from pyramid.path import AssetResolver

from portal.notifications import shapes

FOLDER_SETTING = "portal.notifications.templates"
PACKAGE_FOLDER = "portal:notifications/texts"
# What XML 1.0 cannot carry (every control character but tab and line breaks): a value is rid of them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BLANKS = re.compile(r"[ \t\r\n]+")  # the template's layout; no-break spaces of the words stay
# A value's place in a translation: translationstring's own pattern (an escaped "$$name" is none).
MARKER = re.compile(r"(?<!\$)(\$(?:([a-zA-Z][-a-zA-Z0-9_]*)|{([a-zA-Z][-a-zA-Z0-9_]*)}))")


@dataclass(frozen=True)
class Letter:
    """A notification's words: the e-mail's subject and text, and the SMS."""

    subject: str
    body: str
    sms: str


def _translator(localizer, known: dict):
    """Chameleon's ``translate`` through a Pyramid localizer. The translation is escaped before the
    values (escaped by Chameleon already) go into it, so a translator's "&" cannot break the XML.
    ``known``: the localizer's escaped translations of the plain messages asked so far, cut at their
    ``${name}`` markers (``_pieces``), kept from letter to letter (a batch writes thousands of a few)."""

    def translate(msgid, mapping=None, default=None, domain=None, context=None, target_language=None, **kw):
        plain = type(msgid) is str and (default is None or type(default) is str)  # no values of its own
        found = known.get((msgid, default, domain)) if plain else None
        if found is None:
            text = localizer.translate(TranslationString(msgid, domain=domain or "portal", default=default))
            text = html.escape(text, quote=False)
            if not plain:
                return TranslationString(text, mapping=mapping).interpolate() if mapping else text
            found = known[msgid, default, domain] = (text, *_pieces(text))
        text, pieces, tail = found
        if not mapping or not text:
            return text
        return "".join(literal + str(mapping.get(name, whole)) for literal, name, whole in pieces) + tail

    return translate


def _pieces(text: str) -> tuple[list, str]:
    """``text`` cut at its ``${name}`` and ``$name`` markers, as ``TranslationString.interpolate`` finds
    them: (the text before, the name, the marker as written) each, and the text after the last."""
    pieces, start = [], 0
    for match in MARKER.finditer(text):
        pieces.append((text[start:match.start()], match.group(2) or match.group(3), match.group(1)))
        start = match.end()
    return pieces, text[start:]


def _flat(element) -> str:
    return BLANKS.sub(" ", "".join(element.itertext())).strip()


def _block(element) -> str:
    if element.tag == "pre":
        return "".join(element.itertext()).strip("\n").rstrip()
    if element.tag == "block":
        return "\n".join(text for text in (_block(child) for child in element) if text)
    if element.tag == "signature":
        text = _flat(element)
        return "-- \n" + text if text else ""
    return _flat(element)


def parse_letter(markup: str) -> Letter:
    """The letter a rendered template says."""
    root = ElementTree.fromstring(markup)
    found = {name: root.find(name) for name in ("subject", "body", "sms")}
    blocks = [text for text in (_block(child) for child in (found["body"] if found["body"] is not None else ()))
              if text]
    return Letter(
        subject=_flat(found["subject"]) if found["subject"] is not None else "",
        body="\n\n".join(blocks) + "\n" if blocks else "",
        sms=_flat(found["sms"]) if found["sms"] is not None else "",
    )


def clean(value):
    """A value as a letter may show it: text without the characters XML cannot hold."""
    return NOT_IN_XML.sub("", value) if isinstance(value, str) else value


class LetterTemplates:
    """Finds, compiles (once each) and renders the letter templates. ``package``: the folder of the
    package's own templates, which print their text values as they are (``render_each``)."""

    def __init__(self, folders, package=None):
        self.folders = [folder for folder in folders if folder]
        self.package = package
        self._compiled = {}
        self._paths = {}
        self._translations = weakref.WeakKeyDictionary()  # localizer -> its translations (``_translator``)

    @classmethod
    def from_settings(cls, settings) -> "LetterTemplates":
        own = str((settings or {}).get(FOLDER_SETTING) or "").strip()
        package = AssetResolver().resolve(PACKAGE_FOLDER).abspath()
        return cls([own, package], package=package)

    def path(self, name: str, language: str) -> str:
        """The file of letter ``name`` in ``language``: the deployment's, else the package's (looked for
        once, as each is compiled once)."""
        path = self._paths.get((name, language))
        if path is None:
            path = self._paths[name, language] = self._find(name, language)
        return path

    def _find(self, name: str, language: str) -> str:
        for folder in self.folders:
            for filename in (f"{name}.{language}.pt", f"{name}.pt"):
                path = os.path.join(folder, filename)
                if os.path.isfile(path):
                    return path
        raise LookupError(f"no letter template {name!r}")

    def render(self, letter: str, localizer, /, **values) -> Letter:
        """Letter ``letter`` in the localizer's language, with ``values`` (texts, and flags for conditions)."""
        path = self.path(letter, localizer.locale_name)
        template = self._compiled.get(path)
        if template is None:
            template = self._compiled[path] = PageTemplateFile(path)
        known = self._translations.get(localizer)
        if known is None:
            known = self._translations[localizer] = {}
        values = {key: clean(value) for key, value in values.items()}
        markup = template(translate=_translator(localizer, known), **values)
        return parse_letter(markup)

    def render_each(self, letter: str, localizer, values: list[dict]) -> list[Letter]:
        """``render`` of letter ``letter`` with each of ``values``, in order: a letter of the package's (whose
        templates print their texts as they are, and read none) rendered once per shape of its values
        (notifications/shapes.py), a deployment's letter one by one (its template may read them)."""
        if self.package is None or os.path.dirname(self.path(letter, localizer.locale_name)) != self.package:
            return [self.render(letter, localizer, **each) for each in values]
        letters, groups = [None] * len(values), {}
        for index, each in enumerate(values):
            texts = []
            try:
                key = shapes.shape(each, texts)
            except shapes.Unshaped:
                letters[index] = self.render(letter, localizer, **each)
                continue
            groups.setdefault(key, []).append((index, texts))
        for members in groups.values():
            first, _texts = members[0]
            marks = []
            rendered = self.render(letter, localizer, **shapes.marked(values[first], marks))
            skeleton = (rendered.subject, rendered.body, rendered.sms)
            if not all(shapes.whole(text, len(marks)) for text in skeleton):
                for index, _texts in members:
                    letters[index] = self.render(letter, localizer, **values[index])
                continue
            subject, body, sms = (shapes.pieces(text) for text in skeleton)
            for index, texts in members:
                letters[index] = Letter(shapes.filled(subject, texts), shapes.filled(body, texts),
                                        shapes.filled(sms, texts))
        return letters
