"""The finance demo: every demo party has invoices in every state, payments, balances; it reads in its
readers' language, shows on the pages, and a second run adds nothing."""
import re
from datetime import date

from sqlalchemy import func, select

from portal.finance.models import Balance, Invoice, InvoiceState, Payment, PaymentAllocation
from portal.identity.passwords import password_service_from_settings
from portal.parties.models import Party
from portal.scripts import demo
from tests.conftest import login

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def load(dbsession, app_settings):
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    demo.load_vertical_demos(dbsession, app_settings)
    dbsession.flush()
    return {p.external_id: p for p in dbsession.scalars(select(Party).where(Party.external_id.like("DEMO-%")))}


def counts(dbsession):
    return tuple(dbsession.scalar(select(func.count()).select_from(m)) for m in
                 (Invoice, Payment, PaymentAllocation, Balance))


def test_every_demo_party_has_invoices_in_every_state_payments_and_balances(dbsession, app_settings):
    parties = load(dbsession, app_settings)
    today = date.today()
    for external_id, party in parties.items():
        invoices = dbsession.scalars(select(Invoice).where(Invoice.party_id == party.id)).all()
        assert {i.state_on(today) for i in invoices} == set(InvoiceState), external_id
        assert all(i.net_amount + i.vat_amount == i.total_amount == sum(ln.total_amount for ln in i.lines)
                   for i in invoices)
        for invoice in invoices:  # the paid amounts are what the allocations paid
            allocated = dbsession.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                                         .where(PaymentAllocation.invoice_id == invoice.id))
            assert allocated == invoice.paid_amount, invoice.number
        kinds = set(dbsession.scalars(select(Balance.kind).where(Balance.party_id == party.id)))
        assert kinds == {"operational", "accounting"}, external_id
    for external_id in ("DEMO-SEVER-ENERGO", "DEMO-SEVER-TRANS"):
        states = [i.state_on(today) for i in dbsession.scalars(
            select(Invoice).where(Invoice.party_id == parties[external_id].id))]
        assert states.count(InvoiceState.partially_paid) >= 1 and states.count(InvoiceState.overdue) >= 1
        assert len(states) >= 5


def test_the_demo_reads_in_its_readers_language(dbsession, app_settings):
    parties = load(dbsession, app_settings)

    def texts(external_id):
        party_id = parties[external_id].id
        lines = [ln.description for i in dbsession.scalars(select(Invoice).where(Invoice.party_id == party_id))
                 for ln in i.lines]
        return lines + list(dbsession.scalars(select(Payment.purpose).where(Payment.party_id == party_id)))

    assert all(CYRILLIC.search(t) for t in texts("DEMO-SEVER-ENERGO"))
    assert all(CYRILLIC.search(t) for t in texts("DEMO-SEVER"))
    assert not any(CYRILLIC.search(t) for t in texts("DEMO-VOSTOK") + texts("DEMO-YUG"))


def test_a_second_run_adds_nothing(dbsession, app_settings):
    load(dbsession, app_settings)
    before = counts(dbsession)
    load(dbsession, app_settings)
    assert counts(dbsession) == before and before[0] >= 30


def test_energo_reads_its_invoices_and_balances(testapp, dbsession, app_settings):
    parties = load(dbsession, app_settings)
    login(testapp, "energo", demo.DEMO_PASSWORD)
    energo = parties["DEMO-SEVER-ENERGO"]
    page = testapp.get(f"/p/{energo.id}/invoices/")
    assert "СЧ-СЭ-" in page.text and "INV-ST-" not in page.text
    assert testapp.get(f"/p/{energo.id}/").html.select_one("section.balances") is not None
    testapp.get(f"/p/{parties['DEMO-SEVER-TRANS'].id}/invoices/", status=404)


def test_every_demo_party_with_a_contract_has_an_advance_schedule_in_every_state(testapp, dbsession, app_settings):
    from portal.finance.models import AdvancePayment, AdvanceSchedule, AdvanceState

    parties = load(dbsession, app_settings)
    today = date.today()
    for external_id, party in parties.items():
        schedules = dbsession.scalars(select(AdvanceSchedule).where(AdvanceSchedule.party_id == party.id)).all()
        assert len(schedules) == 1 and schedules[0].contract.party_id == party.id, external_id
        states = [p.state_on(today) for p in schedules[0].payments]
        assert set(states) == set(AdvanceState), external_id
        assert any(p.state_on(today) == AdvanceState.planned and p.paid_amount for p in schedules[0].payments)
    assert CYRILLIC.search(dbsession.scalars(select(AdvanceSchedule.number).where(
        AdvanceSchedule.party_id == parties["DEMO-SEVER-ENERGO"].id)).one())
    before = dbsession.scalar(select(func.count()).select_from(AdvancePayment))
    load(dbsession, app_settings)
    assert dbsession.scalar(select(func.count()).select_from(AdvancePayment)) == before
    login(testapp, "trans", demo.DEMO_PASSWORD)
    trans = parties["DEMO-SEVER-TRANS"]
    page = testapp.get(f"/p/{trans.id}/advances/")
    assert "ADV-ST-" in page.text and "ГА-СЭ-" not in page.text
    testapp.get(f"/p/{parties['DEMO-SEVER-ENERGO'].id}/advances/", status=404)
