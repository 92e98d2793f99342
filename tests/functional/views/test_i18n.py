"""Interface language: the session's choice, else the user's setting, else Accept-Language, else English."""
from tests.conftest import csrf_token, login
from tests.factories import PartyFactory, customer, staff
from tests.factories.workflow_items import ServiceTicketFactory


def test_english_by_default(testapp):
    page = testapp.get("/login")
    assert page.html.html["lang"] == "en"
    assert "Log in" in page.text


def test_accept_language_picks_russian(testapp):
    page = testapp.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert page.html.html["lang"] == "ru"
    assert "Войти" in page.text


def test_unknown_accept_language_falls_back_to_english(testapp):
    page = testapp.get("/login", headers={"Accept-Language": "ja, zz;q=0.1"})
    assert page.html.html["lang"] == "en"


def test_anonymous_language_switch_is_kept_in_the_session(testapp):
    page = testapp.get("/login")
    switch = page.forms[0]
    assert switch.action.endswith("/language")
    response = switch.submit("language", value="ru", status=303)
    assert response.location.endswith("/login")
    assert "Войти" in response.follow().text


def test_the_header_buttons_change_the_pages_not_the_saved_language(testapp, dbsession):
    party = PartyFactory(name="Gamma")
    user = customer(party, language="ru")
    login(testapp, user.login)
    home = testapp.get(f"/p/{party.id}/")
    assert "Договоры" in home.text
    home.forms[0].submit("language", value="en", status=303)
    assert "Contracts" in testapp.get(f"/p/{party.id}/").text  # this session's pages
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(type(user), user.id).language == "ru"  # e-mails keep the user's language


def test_the_account_page_saves_the_language(testapp, dbsession):
    party = PartyFactory(name="Gamma")
    user = customer(party, language=None)
    testapp.get("/login").forms[0].submit("language", value="ru")
    login(testapp, user.login)
    assert "Договоры" in testapp.get(f"/p/{party.id}/").text  # the choice made before login lasts
    account = testapp.get("/account/")
    form = next(f for f in account.forms.values() if "save" in f.fields)
    form["language"] = "en"
    form.submit(status=303)
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(type(user), user.id).language == "en"
    assert "Contracts" in testapp.get(f"/p/{party.id}/").text


def test_users_setting_beats_accept_language(testapp):
    party = PartyFactory()
    user = customer(party, language="ru")
    login(testapp, user.login)
    page = testapp.get(f"/p/{party.id}/", headers={"Accept-Language": "en"})
    assert page.html.html["lang"] == "ru"


def test_unknown_language_is_refused(testapp):
    page = testapp.get("/login")
    token = page.forms["login"]["csrf_token"].value
    response = testapp.post("/language", {"csrf_token": token, "language": "xx"}, status=400)
    assert "Bad request" in response.text


def test_error_pages_speak_the_users_language(testapp):
    response = testapp.get("/no-such-page", headers={"Accept-Language": "ru"}, status=404)
    assert "Страница не найдена" in response.text


def test_form_errors_are_translated(testapp):
    page = testapp.get("/login", headers={"Accept-Language": "ru"})
    form = page.forms["login"]
    form["login"] = ""
    form["password"] = ""
    response = form.submit("submit", headers={"Accept-Language": "ru"})
    assert response.html.select_one("#error-deformField2").text.strip() == "Обязательное поле"  # our wording, not colander's "Требуется"
    assert "Логин" in response.text


def test_dates_follow_the_language(testapp):
    from datetime import date

    from tests.factories import ContractFactory

    party = PartyFactory()
    ContractFactory(party=party, valid_from=date(2024, 3, 5))
    login(testapp, customer(party, language="ru").login)
    assert "5 мар. 2024" in testapp.get(f"/p/{party.id}/").text
    testapp.get(f"/p/{party.id}/").forms[0].submit("language", value="en")
    assert "Mar 5, 2024" in testapp.get(f"/p/{party.id}/").text


def test_a_workflow_refusal_names_the_state_in_the_users_language(testapp, dbsession):
    party = PartyFactory()
    ticket = ServiceTicketFactory(party=party, state="new")
    login(testapp, staff("service", language="ru").login)
    url = f"/p/{party.id}/tickets/{ticket.id}/"
    page = testapp.post(url + "transition", {"csrf_token": csrf_token(testapp), "transition": "start"}).follow()
    assert "Это действие уже недоступно: текущее состояние — «Новое»." in page.text
    assert "«New»" not in page.text


def test_translate_translates_the_values_it_puts_in(app):
    from pyramid.i18n import TranslationString
    from pyramid.request import Request

    from portal.i18n import _, translate

    request = Request.blank("/")
    request.registry = app.registry
    request.locale_name = "ru"
    message = _("This action is no longer possible: the item is now “${state}”.",
                mapping={"state": _("Waiting for customer")})
    assert translate(request, message) == "Это действие уже недоступно: текущее состояние — «Ожидает ответа клиента»."
    nested = _("Last change: ${who}, ${when}.", mapping={"who": message, "when": 5})
    assert "«Ожидает ответа клиента»" in translate(request, nested) and isinstance(message, TranslationString)
