"""Interface languages: the user's setting, else the session's choice, else
Accept-Language, else English."""
from zoneinfo import ZoneInfo

from pyramid.i18n import TranslationString, TranslationStringFactory
from pyramid.threadlocal import get_current_request
from sqlalchemy.exc import SQLAlchemyError
from translationstring import ChameleonTranslate

from portal.kept import kept

_ = TranslationStringFactory("portal")
YES_NO = {True: _("yes"), False: _("no")}  # a flag's title in a list and its export

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
SESSION_LANG_KEY = "lang"
TRANSLATED = "portal_translated"  # a localizer's texts of messages without values (template_translator)
TRANSLATED_SIZE = 4096  # more texts than the templates hold: emptied then (a value translated as it came)


def locale_negotiator(request):
    """This session's choice (the header's buttons), else the user's setting, else Accept-Language.
    The API (``/api/``) has neither session nor user: Accept-Language alone."""
    if request.environ.get("PATH_INFO", "").startswith("/api/"):
        return request.accept_language.lookup(language_tags=list(LANGUAGES), default=DEFAULT_LANGUAGE)
    chosen = request.session.get(SESSION_LANG_KEY)
    if chosen in LANGUAGES:
        return chosen
    identity = identity_or_none(request)
    if identity is not None and identity.user.language in LANGUAGES:
        return identity.user.language
    return request.accept_language.lookup(
        language_tags=list(LANGUAGES), default=DEFAULT_LANGUAGE
    )


def identity_or_none(request):
    """The request's identity, or None while rendering an error caused by the database itself
    (the page then shows nothing that needs another query)."""
    if isinstance(getattr(request, "exception", None), SQLAlchemyError):
        return None
    try:
        return request.identity
    except SQLAlchemyError:
        if getattr(request, "exception", None) is None:
            raise
        return None


def translate_with(localizer, message):
    """``message`` translated, the translatable values of its mapping too (a state's title in a
    refusal: "…— «Waiting for customer»" would stay English otherwise)."""
    mapping = getattr(message, "mapping", None)
    if mapping and any(isinstance(value, TranslationString) for value in mapping.values()):
        message = TranslationString(message, mapping={
            name: translate_with(localizer, value) if isinstance(value, TranslationString) else value
            for name, value in mapping.items()
        })
    return localizer.translate(message)


def titles(request, mapping) -> dict:
    """``mapping`` with its titles in the request's language, for a list's rows to look up (a state's
    or a medium's title on each row). A title left a TranslationString is translated again on each
    row it shows on (some 7,500 instructions each: a hundred on the supply point list)."""
    localizer = request.localizer
    return {key: translate_with(localizer, title) for key, title in mapping.items()}


def translate(request, message):
    """A translated string, for flash messages and anything stored as text."""
    return translate_with(request.localizer, message)


def _known_key(msgid: str, domain, default, context) -> tuple:
    """The key a localizer's known texts are kept under (a TranslationString's own default is its msgid)."""
    return msgid, domain, msgid if default is None else default, context


def template_translator(message):
    """What page templates translate with: ``translate_with``, so a message shown in a template
    translates the values it names as a flash message does.

    A message that names no values reads the same every time in a language, so each language's
    localizer keeps what it gave: a page shows some fifty such texts (its labels, its badges on
    every row), each a catalog lookup otherwise.
    """
    request = get_current_request()
    if request is None:
        return message.interpolate() if hasattr(message, "interpolate") else message
    localizer = request.localizer
    if getattr(message, "mapping", None):
        return translate_with(localizer, message)
    key = _known_key(str(message), getattr(message, "domain", None), getattr(message, "default", None),
                     getattr(message, "context", None))
    return kept(localizer.__dict__, TRANSLATED, key, lambda: translate_with(localizer, message), TRANSLATED_SIZE)


_chameleon_translate = ChameleonTranslate(template_translator)


def chameleon_translate(msgid, domain=None, mapping=None, context=None, target_language=None, default=None):
    """Chameleon's translate hook: translationstring's, but a text without values that this language's
    localizer already knows is returned as it is (a column's title, a row's badge), without making
    a TranslationString for it first (that cost more than the look-up); a TranslationString without
    values is looked up by the key ``template_translator`` kept it under."""
    if not mapping:
        kind = type(msgid)
        if kind is str:
            key = _known_key(msgid, domain, default, context)
        elif kind is TranslationString and not msgid.mapping:  # a state's title on each row: its own key
            key = _known_key(msgid, msgid.domain, msgid.default, msgid.context)
        else:
            key = None
        request = None if key is None else get_current_request()
        if request is not None:
            known = request.localizer.__dict__.get(TRANSLATED)
            if known:
                text = known.get(key)
                if text is not None:
                    return text
    return _chameleon_translate(msgid, domain, mapping, context, target_language, default)


def _register_template_translator(registry):
    from pyramid_chameleon.interfaces import IChameleonTranslate

    registry.registerUtility(chameleon_translate, IChameleonTranslate)


def includeme(config):
    config.registry["portal_tz"] = ZoneInfo(config.get_settings().get("portal.timezone", "UTC"))
    config.add_translation_dirs("colander:locale", "deform:locale", "portal:locale")
    config.set_locale_negotiator(locale_negotiator)
    # After pyramid_chameleon registers its own translator (order 1000).
    config.action(None, _register_template_translator, args=(config.registry,), order=1001)
