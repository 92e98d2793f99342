"""The main path in a real browser: log in as a demo customer, see the party home,
switch party as a holding user, switch language."""
import pytest

from portal.scripts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, login):
    page.goto(base + "/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[name=submit]")


def test_customer_logs_in_and_sees_the_party_home(page, live_server):
    log_in(page, live_server, "energo")
    page.wait_for_url("**/p/*")
    assert page.locator("h1").inner_text() == "Sever Energo"
    assert page.locator("text=E-2024/117").count() == 1
    # The user's own setting is Russian.
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h2", has_text="Договоры").count() == 1
    # No other party is visible anywhere on the page.
    assert "Vostok" not in page.content()


def test_holding_user_switches_party(page, live_server):
    log_in(page, live_server, "holding")
    page.wait_for_url("**/p")
    page.click("table.list a:text('Sever Energo')")
    assert page.locator("h1").inner_text() == "Sever Energo"
    page.click("details.switcher summary")
    page.click("details.switcher a:text('Sever Trans')")
    page.wait_for_url("**/p/*")
    assert page.locator("h1").inner_text() == "Sever Trans"


def test_language_switch_and_logout(page, live_server):
    log_in(page, live_server, "vostok")
    page.wait_for_url("**/p/*")
    assert page.locator("h2", has_text="Contracts").count() == 1
    page.click("form.lang button[value=ru]")
    assert page.locator("h2", has_text="Договоры").count() == 1
    page.click("form.lang button[value=en]")
    page.click("details.user summary")
    page.click("text=Log out")
    page.wait_for_url("**/login")
    assert page.locator("text=You have logged out.").count() == 1


def test_wrong_password_shows_the_message(page, live_server):
    page.goto(live_server + "/login")
    page.fill("input[name=login]", "yug")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[name=submit]")
    assert page.locator(".alert-danger").inner_text().startswith("Wrong login or password")
