"""Interface languages: the user's setting, else the session's choice, else
Accept-Language, else English."""
from zoneinfo import ZoneInfo

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("portal")

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
SESSION_LANG_KEY = "lang"


def locale_negotiator(request):
    identity = request.identity
    if identity is not None and identity.user.language in LANGUAGES:
        return identity.user.language
    chosen = request.session.get(SESSION_LANG_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_language.lookup(
        language_tags=list(LANGUAGES), default=DEFAULT_LANGUAGE
    )


def translate(request, message):
    """A translated string, for flash messages and anything stored as text."""
    return request.localizer.translate(message)


def includeme(config):
    config.registry["portal_tz"] = ZoneInfo(config.get_settings().get("portal.timezone", "UTC"))
    config.add_translation_dirs("colander:locale", "deform:locale", "portal:locale")
    config.set_locale_negotiator(locale_negotiator)
