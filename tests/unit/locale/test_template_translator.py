"""The templates' translator keeps the texts of messages without values per language, and only those."""
import translationstring
from pyramid import testing
from pyramid.i18n import make_localizer
from translationstring import TranslationString

import portal.i18n
from portal.i18n import TRANSLATED, chameleon_translate, template_translator

LOCALE_DIR = portal.i18n.__file__.rsplit("/", 1)[0] + "/locale"


def _render(language, message):
    request = testing.DummyRequest()
    request.localizer = make_localizer(language, [LOCALE_DIR])
    with testing.testConfig(request=request):
        return template_translator(message), request.localizer


def test_each_language_keeps_its_own_text_of_a_message():
    message = TranslationString("Invoices", domain="portal")
    english, en = _render("en", message)
    russian, ru = _render("ru", message)
    assert english == "Invoices"
    assert russian == "Счета"
    assert en.__dict__[TRANSLATED] != ru.__dict__[TRANSLATED]


def test_a_message_with_values_is_translated_each_time_with_them():
    first, localizer = _render("en", TranslationString("${n} rows", domain="portal", mapping={"n": 1}))
    with testing.testConfig(request=testing.DummyRequest(localizer=localizer)):
        second = template_translator(TranslationString("${n} rows", domain="portal", mapping={"n": 2}))
    assert (first, second) == ("1 rows", "2 rows")
    assert not localizer.__dict__.get(TRANSLATED)


def test_the_kept_texts_stay_bounded(monkeypatch):
    monkeypatch.setattr(portal.i18n, "TRANSLATED_SIZE", 3)
    request = testing.DummyRequest()
    request.localizer = make_localizer("en", [LOCALE_DIR])
    with testing.testConfig(request=request):
        for number in range(10):
            assert template_translator(TranslationString(f"text {number}")) == f"text {number}"
    assert len(request.localizer.__dict__[TRANSLATED]) <= 3


def _hook(language, calls):
    """Chameleon's hook called ``calls`` times as a template calls it, under one localizer."""
    request = testing.DummyRequest()
    request.localizer = make_localizer(language, [LOCALE_DIR])
    with testing.testConfig(request=request):
        return [chameleon_translate(*args, **kwargs) for args, kwargs in calls], request.localizer


def test_the_hook_gives_what_the_translator_gives_and_then_what_it_kept(monkeypatch):
    made = []
    real = translationstring.TranslationString

    def counting(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(translationstring, "TranslationString", counting)
    calls = [(("Invoices",), {"domain": "portal"})] * 3 + [(("Log out",), {"domain": "portal", "default": "Log out"})]
    texts, localizer = _hook("ru", calls)
    assert texts == ["Счета", "Счета", "Счета", "Выйти"]
    assert made == ["Invoices", "Log out"]  # the repeated text was a look-up of what the first call kept
    english, _ = _hook("en", calls[:2])
    assert english == ["Invoices", "Invoices"]


def test_the_hook_interpolates_values_and_passes_other_values_through():
    texts, localizer = _hook("en", [(("${n} rows",), {"domain": "portal", "mapping": {"n": 1}}),
                                    (("${n} rows",), {"domain": "portal", "mapping": {"n": 2}}),
                                    ((7,), {}), ((None,), {})])
    assert texts == ["1 rows", "2 rows", "7", None]
    assert not localizer.__dict__.get(TRANSLATED)


def test_a_message_without_values_is_looked_up_by_its_kept_key_after_the_first_time(monkeypatch):
    """A state's title on each of fifty rows: translated once, then a look-up, not the translator."""
    translated = []
    real = portal.i18n._chameleon_translate

    def counting(msgid, *args):
        translated.append(str(msgid))
        return real(msgid, *args)

    monkeypatch.setattr(portal.i18n, "_chameleon_translate", counting)
    title = TranslationString("Invoices", domain="portal")
    valued = TranslationString("${n} rows", domain="portal", mapping={"n": 3})
    texts, localizer = _hook("ru", [((title,), {})] * 3 + [((valued,), {})] * 2)
    assert texts == ["Счета"] * 3 + ["3 rows"] * 2
    assert translated == ["Invoices", "${n} rows", "${n} rows"]  # a message with values each time
    english, _ = _hook("en", [((title,), {})] * 2)
    assert english == ["Invoices", "Invoices"]


def test_a_lists_titles_are_given_translated_under_the_keys_they_had():
    from portal.i18n import titles
    from portal.requests.workflow import REQUEST
    from portal.utility.models import Medium
    from portal.utility.views import MEDIA

    request = testing.DummyRequest()
    request.localizer = make_localizer("ru", [LOCALE_DIR])
    media = titles(request, MEDIA)
    assert media[Medium.water] == "Вода" and type(media[Medium.water]) is str
    assert set(media) == set(MEDIA)
    states = titles(request, REQUEST.state_titles)
    assert set(states) == set(REQUEST.states)
    assert states["closed"] == request.localizer.translate(REQUEST.states["closed"].title) != "Closed"
