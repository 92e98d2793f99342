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
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from chameleon import PageTemplateFile
from pyramid.i18n import TranslationString
from pyramid.path import AssetResolver

FOLDER_SETTING = "portal.notifications.templates"
PACKAGE_FOLDER = "portal:notifications/texts"
# What XML 1.0 cannot carry (every control character but tab and line breaks): a value is rid of them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
BLANKS = re.compile(r"[ \t\r\n]+")  # the template's layout; no-break spaces of the words stay


@dataclass(frozen=True)
class Letter:
    """A notification's words: the e-mail's subject and text, and the SMS."""

    subject: str
    body: str
    sms: str


def _translator(localizer):
    """Chameleon's ``translate`` through a Pyramid localizer. The translation is escaped before the
    values (escaped by Chameleon already) go into it, so a translator's "&" cannot break the XML."""

    def translate(msgid, mapping=None, default=None, domain=None, context=None, target_language=None, **kw):
        text = localizer.translate(TranslationString(msgid, domain=domain or "portal", default=default))
        text = html.escape(text, quote=False)
        return TranslationString(text, mapping=mapping).interpolate() if mapping else text

    return translate


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
    """Finds, compiles (once each) and renders the letter templates."""

    def __init__(self, folders):
        self.folders = [folder for folder in folders if folder]
        self._compiled = {}

    @classmethod
    def from_settings(cls, settings) -> "LetterTemplates":
        own = str((settings or {}).get(FOLDER_SETTING) or "").strip()
        return cls([own, AssetResolver().resolve(PACKAGE_FOLDER).abspath()])

    def path(self, name: str, language: str) -> str:
        """The file of letter ``name`` in ``language``: the deployment's, else the package's."""
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
        markup = template(translate=_translator(localizer), **{key: clean(value) for key, value in values.items()})
        return parse_letter(markup)
