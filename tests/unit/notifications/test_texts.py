"""Letter templates: the package's words in each language, a deployment's own files first (per language,
then for every language), blocks turned into plain text, and nothing a person typed able to add markup,
a line to the subject or break the letter."""
import pytest
from pyramid.i18n import make_localizer
from pyramid.path import AssetResolver

from portal.notifications.texts import LetterTemplates, parse_letter

LOCALE = AssetResolver().resolve("portal:locale").abspath()
NS = 'xmlns:tal="http://xml.zope.org/namespaces/tal" xmlns:i18n="http://xml.zope.org/namespaces/i18n"'


def localizer(language):
    return make_localizer(language, [LOCALE])


@pytest.fixture
def package():
    return LetterTemplates.from_settings({})


def test_the_packages_work_letter_in_english_and_russian(package):
    values = dict(kind="Request", id="7", subject="Leak", state="Assigned", name="Olga", actor="Ivanov Ivan",
                  comment="", url="http://portal/p/1/requests/7/", settings_url="http://portal/account/notifications")
    english = package.render("work", localizer("en"), **values)
    assert english.subject == "Request #7 “Leak”: Assigned"
    assert english.body.startswith("Hello, Olga.\n\nIvanov Ivan moved Request #7 “Leak” to the state “Assigned”.\n\n")
    assert english.body.endswith("-- \nYou get these e-mails because the item is yours or assigned to you. "
                                 "You can turn them off in your account: http://portal/account/notifications\n")
    assert english.sms == "Request #7 “Leak”: Assigned http://portal/p/1/requests/7/"
    russian = package.render("work", localizer("ru"), **dict(values, kind="Обращение", state="Назначено"))
    assert russian.body.startswith("Здравствуйте, Olga.")


def test_typed_text_keeps_its_lines_and_cannot_add_markup_or_break_the_letter(package):
    letter = package.render("work", localizer("en"), kind="Request", id="1", subject="<b>x</b> & y\x0b",
                            state="Done", name="A", actor="", comment="line one\n  line <two>\x00", url="u",
                            settings_url="s")
    assert letter.subject == "Request #1 “<b>x</b> & y”: Done"  # the e-mail's text, not HTML: shown as typed
    assert "Comment:\nline one\n  line <two>\n\n" in letter.body
    assert "\x00" not in letter.body and "\x0b" not in letter.subject


def test_a_deployments_folder_words_one_language_or_every_language(tmp_path):
    (tmp_path / "work.ru.pt").write_text(
        f'<letter {NS}><subject>Заявка ${{id}}</subject><body><p>Наш текст</p></body><sms>СМС ${{id}}</sms></letter>',
        encoding="utf-8")
    (tmp_path / "phone-code.pt").write_text(f'<letter {NS}><subject>Code</subject><sms>Ours: ${{code}}</sms></letter>')
    own = LetterTemplates.from_settings({"portal.notifications.templates": str(tmp_path)})
    values = dict(kind="K", id="5", subject="S", state="T", name="N", actor="", comment="", url="u", settings_url="s")
    russian = own.render("work", localizer("ru"), **values)
    assert (russian.subject, russian.body, russian.sms) == ("Заявка 5", "Наш текст\n", "СМС 5")
    assert own.render("work", localizer("en"), **values).subject == "K #5 “S”: T"  # English: the package's
    assert own.render("phone-code", localizer("en"), code="123456", minutes="10").sms == "Ours: 123456"
    with pytest.raises(LookupError):
        own.path("no-such-letter", "en")


def test_a_translation_with_an_ampersand_still_makes_a_letter():
    class Ampersand:
        locale_name = "en"

        def translate(self, message):
            return "Tom & Jerry ${name}" if "Hello" in message else str(message)

    rendered = LetterTemplates.from_settings({}).render(
        "registration-taken", Ampersand(), name="<Olga>", login="o", url="u")
    assert rendered.body.startswith("Tom & Jerry <Olga>\n")


def test_blocks_become_plain_text():
    letter = parse_letter("<letter><subject> A\n  subject </subject><body><p>One\n   paragraph</p>"
                          "<block><line>first</line><line>second</line></block><pre>  kept\n as is</pre>"
                          "<signature>why</signature></body><sms>short  text</sms></letter>")
    assert letter.subject == "A subject"
    assert letter.body == "One paragraph\n\nfirst\nsecond\n\n  kept\n as is\n\n-- \nwhy\n"
    assert letter.sms == "short text"
