"""The integration's health for admins: an invoice naming a contract that never arrived is stored
without it and listed; a re-check (or the next send) links it once the contract arrives; each
entity's last arrival, with an alert when it is old; the call log with refused calls."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.api.models import ApiCall, ApiInconsistency
from portal.audit.models import AuditEntry
from portal.db.meta import utcnow
from portal.finance.models import Invoice
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff
from tests.functional.api.conftest import bearer

INVOICE = {"external_id": "H-INV-1", "party": "H-P", "contract": "H-K-1", "number": "H-0001",
           "issue_date": "2026-11-01", "due_date": "2026-11-15", "currency": "RUB",
           "lines": [{"text": "Freight", "quantity": "1", "unit": "trip", "price": "100.00",
                      "vat_rate": "20"}]}
CONTRACT = {"external_id": "H-K-1", "party": "H-P", "number": "K-1", "valid_from": "2026-01-01"}


@pytest.fixture
def world(dbsession):
    party = PartyFactory(name="Rail Seed", external_id="H-P")
    return {"party": party, "admin": staff("admin"), "clerk": staff("backoffice"), "user": customer(party)}


def open_inconsistencies(dbsession):
    dbsession.flush()
    dbsession.expire_all()
    return dbsession.scalars(select(ApiInconsistency)).all()


def invoice(dbsession):
    dbsession.expire_all()
    return dbsession.scalars(select(Invoice).where(Invoice.external_id == "H-INV-1")).one()


def test_an_invoice_whose_contract_never_arrived_is_stored_listed_and_linked_by_a_re_check(
        testapp, dbsession, world, write_key):
    sent = testapp.post_json("/api/v1/invoices", INVOICE, headers=bearer(write_key)).json["results"][0]
    assert sent["result"] == "created" and [w["field"] for w in sent["warnings"]] == ["contract"]
    assert invoice(dbsession).contract_id is None
    [kept] = open_inconsistencies(dbsession)
    assert (kept.entity, kept.external_id, kept.field, kept.reference) == ("invoices", "H-INV-1", "contract", "H-K-1")
    login(testapp, world["admin"].login)
    page = testapp.get("/admin/integration/inconsistencies/")
    assert "H-INV-1" in page.text and "H-K-1" in page.text
    # Re-checked before the contract arrives: still listed, and stamped.
    page.forms["recheck"].submit("all", value="1", status=303)
    [kept] = open_inconsistencies(dbsession)
    assert kept.checked_at is not None
    testapp.post_json("/api/v1/contracts", CONTRACT, headers=bearer(write_key))
    page = testapp.get("/admin/integration/inconsistencies/")
    page.forms["recheck"]["id"] = str(kept.id)
    done = page.forms["recheck"].submit(status=303).follow()
    assert "1 records are whole now, 0 still name" in done.text
    assert open_inconsistencies(dbsession) == []
    assert invoice(dbsession).contract.external_id == "H-K-1"
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "api.recheck")) == 2


def test_sending_the_row_again_once_the_contract_is_here_clears_it(testapp, dbsession, world, write_key):
    testapp.post_json("/api/v1/invoices", INVOICE, headers=bearer(write_key))
    testapp.post_json("/api/v1/contracts", CONTRACT, headers=bearer(write_key))
    again = testapp.post_json("/api/v1/invoices", INVOICE, headers=bearer(write_key)).json["results"][0]
    assert again["result"] == "updated" and "warnings" not in again
    assert open_inconsistencies(dbsession) == []


def test_each_entity_shows_its_last_arrival_and_an_old_one_is_flagged(testapp, dbsession, world, write_key):
    testapp.post_json("/api/v1/contracts", CONTRACT, headers=bearer(write_key))
    testapp.post_json("/api/v1/invoices", INVOICE, headers=bearer(write_key))
    testapp.post_json("/api/v1/invoices", {"external_id": 5}, headers=bearer("wrong"), status=401)
    dbsession.flush()
    call = dbsession.scalars(select(ApiCall).where(ApiCall.endpoint == "/api/v1/contracts")).one()
    call.created_at = utcnow() - timedelta(hours=30)
    login(testapp, world["admin"].login)
    page = testapp.get("/admin/integration/")
    rows = {row.split("</code>")[0].rsplit(">", 1)[-1]: row for row in page.text.split("<tr")}
    assert "older than 26 h" in rows["contracts"]
    assert "older than" not in rows["invoices"] and "never" not in rows["invoices"]
    assert "never" in rows["payments"]
    calls = testapp.get("/admin/integration/calls/?failed=1")
    assert "401" in calls.text and "/api/v1/contracts" not in calls.text
    assert testapp.get("/admin/integration/calls/export.xlsx").content_type.endswith("sheet")


def test_only_admins_see_the_integration_pages(testapp, dbsession, world):
    for who in ("clerk", "user"):
        testapp.reset()
        login(testapp, world[who].login)
        for path in ("/admin/integration/calls/", "/admin/integration/inconsistencies/"):
            assert testapp.get(path, expect_errors=True).status_int in (403, 404)
        refused = testapp.post("/admin/integration/inconsistencies/recheck", {"all": "1"}, status="*")
        assert refused.status_int in (400, 403, 404)



def test_an_entity_filter_of_digits_is_text_not_an_id(testapp, dbsession, world):
    login(testapp, world["admin"].login)
    page = testapp.get("/admin/integration/inconsistencies/", {"entity": "1" + "0" * 30, "q": "1" * 40})
    assert "Every record the accounting system sent is whole" in page.text
