"""The templates' translator keeps the texts of messages without values per language, and only those."""
from pyramid import testing
from pyramid.i18n import make_localizer
from translationstring import TranslationString

import portal.i18n
from portal.i18n import TRANSLATED, template_translator

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
