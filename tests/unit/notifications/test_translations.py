"""The letters' translations, kept from letter to letter: each message asked of the localizer once, and
its values put in as ``TranslationString.interpolate`` puts them, whatever the values of the letter."""
import pytest
from pyramid.i18n import TranslationString

from portal.notifications.texts import LetterTemplates, _translator


class Counting:
    """A localizer that answers with the message's default and counts what it is asked."""

    locale_name = "en"

    def __init__(self):
        self.asked = []

    def translate(self, message):
        self.asked.append(str(message))
        return message.default


@pytest.mark.parametrize("text, mapping", [
    ("Hello, ${name}.", {"name": "Olga"}),
    ("${a}${b} and $a, ${missing} stays", {"a": "1", "b": "2"}),
    ("Costs $$5, not $5 or ${5}", {"5": "x"}),
    ("No values here", {"name": "Olga"}),
    ("Tom & Jerry ${name}", {"name": "&lt;b&gt;"}),
    ("${name}", {"name": 7}),
    ("", {"name": "x"}),
])
def test_a_kept_translation_takes_each_letters_values_as_interpolate_does(text, mapping):
    localizer = Counting()
    translate = _translator(localizer, {})
    expected = TranslationString(text.replace("&", "&amp;"), mapping=mapping).interpolate()
    assert translate(text, mapping=mapping) == expected
    assert translate(text, mapping=mapping) == expected and len(localizer.asked) == 1
    other = {key: f"other {value}" for key, value in mapping.items()}
    assert translate(text, mapping=other) == TranslationString(text.replace("&", "&amp;"), mapping=other).interpolate()
    assert translate(text) == text.replace("&", "&amp;") and len(localizer.asked) == 1


def test_a_message_with_values_of_its_own_is_asked_each_time():
    localizer = Counting()
    translate = _translator(localizer, {})
    message = TranslationString("Request ${id}", mapping={"id": "7"})
    assert translate(message) == "Request ${id}" and translate(message) == "Request ${id}"
    assert len(localizer.asked) == 2


def test_letters_rendered_one_after_another_keep_their_own_values():
    templates = LetterTemplates.from_settings({})
    localizer = Counting()
    values = dict(kind="Request", id="7", subject="Leak", state="Assigned", actor="Ivanov", comment="",
                  url="http://portal/p/1/requests/7/", settings_url="http://portal/account/notifications")
    first = templates.render("work", localizer, name="Olga", **values)
    asked = len(localizer.asked)
    second = templates.render("work", localizer, name="Pavel", **dict(values, id="8"))
    assert first.body.startswith("Hello, Olga.") and second.body.startswith("Hello, Pavel.")
    assert "#7" in first.subject and "#8" in second.subject
    assert len(localizer.asked) == asked  # every message of the letter was known from the first
