"""Workflow paths in a real browser: a customer files a request, staff work it, the customer closes it."""
import pytest

from tests.browser.test_login_flow import log_in

pytestmark = pytest.mark.browser


def test_customer_files_a_request_and_staff_resolve_it(browser, live_server, tmp_path):
    customer = browser.new_context(locale="en-US").new_page()
    customer.set_default_timeout(10_000)
    log_in(customer, live_server, "vostok")
    customer.wait_for_url("**/p/*")
    customer.click("a.tile:text('Requests')")
    customer.click("text=New request")
    customer.select_option("select[name=type_id]", label="General question")
    customer.fill("input[name=subject]", "Browser-filed request")
    customer.fill("textarea[name=body]", "Filed from a real browser.")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    customer.set_input_files("input[type=file]", str(scan))
    customer.click("button[name=submit]")
    assert "has been filed" in customer.locator(".flash-success").inner_text()
    assert customer.locator("h1").inner_text().endswith("New")
    assert customer.locator(".attachments a", has_text="scan.pdf").count() == 1
    item_url = customer.url

    staff = browser.new_context(locale="en-US").new_page()
    staff.set_default_timeout(10_000)
    log_in(staff, live_server, "backoffice")
    staff.goto(item_url)
    staff.select_option("select[name=assignee_id]", label="Volkov Dmitry")
    staff.click("button:text('Assign')")
    staff.click("button:text('Start work')")
    resolve = staff.locator("form.action", has=staff.locator("button:text('Resolve')"))
    resolve.locator("textarea[name=comment]").fill("Answered by phone.")
    resolve.locator("button").click()
    assert "Resolved" in staff.locator(".flash-success").inner_text()

    customer.goto(item_url)
    customer.click("button:text('Confirm and close')")
    assert customer.locator("h1").inner_text().endswith("Closed")
    timeline = customer.locator(".timeline").inner_text()
    assert "Answered by phone." in timeline and "Smirnova Elena" in timeline


def test_customer_asks_for_a_change_and_the_back_office_approves_it(browser, live_server):
    customer = browser.new_context(locale="en-US").new_page()
    customer.set_default_timeout(10_000)
    log_in(customer, live_server, "trans")
    customer.wait_for_url("**/p/*")
    party_url = customer.url
    customer.click("a.tile:text('Change requests')")
    customer.click("a:text('New change request')")
    customer.fill("input[name=email]", "billing@sever-trans.example")
    customer.click("button[name=submit]")
    assert "is submitted" in customer.locator(".flash-success").inner_text()
    item_url = customer.url
    assert "billing@sever-trans.example" in customer.locator("main").inner_text()

    clerk = browser.new_context(locale="en-US").new_page()
    clerk.set_default_timeout(10_000)
    log_in(clerk, live_server, "backoffice")
    clerk.goto(live_server + "/backoffice/")
    clerk.click("table.list a[href*='/changes/']")
    assert clerk.url == item_url
    clerk.click("button:text('Approve')")
    assert "The new values now apply" in clerk.locator(".flash-success").inner_text()

    customer.goto(item_url)
    assert customer.locator("h1 .badge").inner_text() == "Applied"
    timeline = customer.locator(".timeline").inner_text()
    assert "Smirnova Elena" in timeline
    # The company's data now holds the new value: a new change request starts from it.
    customer.goto(party_url.rstrip("/") + "/changes/new")
    assert customer.locator("input[name=email]").input_value() == "billing@sever-trans.example"
