"""Registration in a real browser, from the form through the e-mail's link and the SMS code, the back
office's binding, to the person's first login on the company's page. The e-mail and the SMS are read
from the live portal's outbox, as portal-worker would send them."""
import re

import pytest
from sqlalchemy import create_engine, text

from portal.scripts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PASSWORD = "Browser-registers-2026"


def outbox_body(live_db_url, channel, recipient) -> str:
    engine = create_engine(live_db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT body FROM outbox WHERE channel = :c AND recipient = :r "
                                     "ORDER BY id DESC"), {"c": channel, "r": recipient}).scalars().first()
    finally:
        engine.dispose()


def log_in(page, base, login, password):
    page.goto(base + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[name=submit]")


def test_registration_binding_and_first_login(browser, page, live_server, live_db_url):
    page.goto(live_server + "/login")
    page.click("text=No login yet? Register")
    for name, value in {"last_name": "Browserova", "first_name": "Vera", "email": "vera@yug-browser.test",
                        "phone": "+7 918 700-00-01", "password": PASSWORD, "confirmation": PASSWORD,
                        "company_name": "Yug Vodokanal", "tax_id": "2310000005"}.items():
        page.fill(f"input[name={name}]", value)
    page.click("button[name=submit]")
    page.wait_for_url("**/register/sent")
    assert "vera@yug-browser.test" in page.locator("#registration-sent").inner_text()

    body = outbox_body(live_db_url, "email", "vera@yug-browser.test")
    path = re.search(r"http://localhost:6543(/register/confirm\?token=\S+)", body).group(1)
    page.goto(live_server + path)
    page.click("#confirm-email button")
    page.wait_for_url("**/register/phone")
    code = re.search(r"(\d{6})", outbox_body(live_db_url, "sms", "+79187000001")).group(1)
    page.fill("input[name=code]", code)
    page.click("button[name=submit]")
    page.wait_for_url("**/register/done")
    assert page.locator("#registration-done").count() == 1

    clerk = browser.new_context(locale="en-US").new_page()
    log_in(clerk, live_server, "backoffice", DEMO_PASSWORD)
    clerk.wait_for_url("**/p*")
    clerk.goto(live_server + "/backoffice/registrations/")
    clerk.click("#registrations a:text('Browserova Vera')")
    row = clerk.locator("#suggestions tbody tr", has_text="Yug Vodokanal")
    row.locator("button").click()
    clerk.wait_for_url("**/backoffice/registrations/")
    assert "Browserova Vera now acts for Yug Vodokanal." in clerk.content()
    clerk.context.close()

    log_in(page, live_server, "vera@yug-browser.test", PASSWORD)
    page.wait_for_url("**/p/*")
    assert page.locator("h1").inner_text() == "Yug Vodokanal"
    assert "Sever" not in page.content()
