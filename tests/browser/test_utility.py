"""A self-reading in a real browser: an implausible value is refused until explained, goes to the
staff's review queue, and is accepted there; the customer sees it accepted."""
from decimal import Decimal

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal.utility.demo import load_demo
from tests.browser.test_login_flow import log_in
from tests.conftest import TEST_SETTINGS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def utility_demo(live_server, live_db_url):
    """The utility's demo in the live database (the live server loads the core's only)."""
    engine = create_engine(live_db_url)
    with Session(engine) as session, session.begin():
        load_demo(session, TEST_SETTINGS)
    engine.dispose()
    return live_server


def new_page(browser):
    page = browser.new_context(locale="en-US").new_page()
    page.set_default_timeout(10_000)
    return page


def test_an_implausible_self_reading_goes_to_review_and_staff_accept_it(browser, utility_demo):
    base = utility_demo
    customer = new_page(browser)
    log_in(customer, base, "yug")
    customer.wait_for_url("**/p/*")
    customer.click("a.tile:text('Supply points')")
    customer.click("table.list a:text('Krasnodar, Krasnaya 40, main building')")
    assert customer.locator("figure.chart svg rect").count() > 0  # the consumption chart, drawn on the server
    customer.click("a:text('Send a meter reading')")
    last = Decimal(customer.locator("ul.last-values strong").first.inner_text().replace(",", ""))
    field = customer.locator("form.deform input[inputmode=decimal]").first
    field.fill(f"{last + 5000:f}")
    customer.click("button[name=submit]")
    assert "far more than the usual" in customer.locator(".issues").inner_text()
    assert "say why in a comment" in customer.locator("form.deform").inner_text()
    customer.fill("textarea[name=comment]", "We filled the new swimming pool.")
    customer.click("button[name=submit]")
    assert "Our staff will review it" in customer.locator(".flash-success").inner_text()
    assert customer.locator("h1 .badge").inner_text() == "Waiting for review"
    reading_url = customer.url

    clerk = new_page(browser)
    log_in(clerk, base, "backoffice")
    clerk.wait_for_url(lambda url: "/login" not in url)
    clerk.click("nav a:text('Readings')")
    row = clerk.locator("table.list tr", has_text="We filled the new swimming pool.")
    row.locator("a").first.click()
    assert clerk.url == reading_url
    clerk.click("button:text('Accept')")
    assert "Accepted" in clerk.locator(".flash-success").inner_text()
    clerk.goto(base + "/readings/")
    assert clerk.locator("table.list tr", has_text="We filled the new swimming pool.").count() == 0

    customer.goto(reading_url)
    assert customer.locator("h1 .badge").inner_text() == "Accepted"
    assert "Smirnova Elena" in customer.locator(".timeline").inner_text()
    customer.click("a.unread-notices")
    assert "Meter reading" in customer.locator("main").inner_text()
