"""Interface languages: the user's setting, else the session's choice, else
Accept-Language, else English."""
from zoneinfo import ZoneInfo

from pyramid.i18n import TranslationStringFactory
from sqlalchemy.exc import SQLAlchemyError

_ = TranslationStringFactory("portal")

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
SESSION_LANG_KEY = "lang"


def locale_negotiator(request):
    identity = identity_or_none(request)
    if identity is not None and identity.user.language in LANGUAGES:
        return identity.user.language
    chosen = request.session.get(SESSION_LANG_KEY)
    if chosen in LANGUAGES:
        return chosen
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


def translate(request, message):
    """A translated string, for flash messages and anything stored as text."""
    return request.localizer.translate(message)


def includeme(config):
    config.registry["portal_tz"] = ZoneInfo(config.get_settings().get("portal.timezone", "UTC"))
    config.add_translation_dirs("colander:locale", "deform:locale", "portal:locale")
    config.set_locale_negotiator(locale_negotiator)
