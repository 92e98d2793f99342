"""Advance schedules as an entity of the integration API (``/api/v1/advance_schedules``): a schedule
with its payments, its party and contract named by their external ids, written through the advances
service the demo writes with. The schema lives here, with the only code that reads it."""
import colander
from sqlalchemy.orm import joinedload, selectinload

from portal.api.nodes import currency_node, decimal_node, external_id_node, text_node
from portal.api.references import by_external_id, party_contract, referenced_party, unmoved
from portal.finance.models import ZERO
from portal.finance.models.advances import AdvanceSchedule
from portal.finance.services.advances import PlannedPayment, upsert_advance_schedule
from portal.i18n import _

DEFAULT_CURRENCY = "RUB"
# Payments one schedule may plan: a daily advance for a year is the most anybody plans.
MAX_PAYMENTS = 366


class AdvancePaymentApiSchema(colander.MappingSchema):
    """One planned advance payment; what of it was paid (nothing, unless sent) and when."""

    due_date = colander.SchemaNode(colander.Date(), title=_("Due on"))
    amount = decimal_node(16, 2, positive=True, title=_("Planned amount"))
    paid_amount = decimal_node(16, 2, minimum=0, missing=ZERO,
                               title=_("Amount paid"))
    paid_on = colander.SchemaNode(colander.Date(), missing=None, title=_("Paid on"))


def _period_in_order(node, values):
    if values["period_end"] < values["period_start"]:
        raise colander.Invalid(node["period_end"], _("The end is before the start."))


class AdvanceScheduleApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    party = external_id_node(title=_("Party (external id)"))
    contract = external_id_node(title=_("Contract (external id)"))
    number = text_node(64, title=_("Number"))
    issue_date = colander.SchemaNode(colander.Date(), title=_("Issued on"))
    period_start = colander.SchemaNode(colander.Date(), title=_("Period from"))
    period_end = colander.SchemaNode(colander.Date(), title=_("Period to"))
    currency = currency_node(title=_("Currency"))
    payments = colander.SchemaNode(
        colander.Sequence(), AdvancePaymentApiSchema(name="payment"),
        validator=colander.Length(min=1, max=MAX_PAYMENTS),
        title=_("Advance payments, in order (replaced whole when sent)"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_period_in_order, **kw)


def find_schedule(db, external_id):
    return by_external_id(db, AdvanceSchedule, external_id, joinedload(AdvanceSchedule.party),
                          joinedload(AdvanceSchedule.contract), selectinload(AdvanceSchedule.payments))


def schedule_values(schedule: AdvanceSchedule) -> dict:
    return {
        "external_id": schedule.external_id, "party": schedule.party.external_id,
        "contract": schedule.contract.external_id, "number": schedule.number, "issue_date": schedule.issue_date,
        "period_start": schedule.period_start, "period_end": schedule.period_end, "currency": schedule.currency,
        "payments": [{"due_date": p.due_date, "amount": p.amount, "paid_amount": p.paid_amount, "paid_on": p.paid_on}
                     for p in schedule.payments],
    }


def apply_schedule(db, schedule, values):
    party = referenced_party(db, values["party"])
    unmoved(schedule, party, _("The advance schedule belongs to another party; it cannot move to another."))
    contract = party_contract(db, party, values["contract"])
    if "currency" in values:
        currency = values["currency"] or DEFAULT_CURRENCY  # null: back to the default
    else:
        currency = schedule.currency if schedule is not None else DEFAULT_CURRENCY
    return upsert_advance_schedule(
        db, external_id=values["external_id"], party_id=party.id, contract_id=contract.id, number=values["number"],
        issue_date=values["issue_date"], period_start=values["period_start"], period_end=values["period_end"],
        currency=currency, pdf_sha256=schedule.pdf_sha256 if schedule is not None else None,
        payments=[PlannedPayment(p["due_date"], p["amount"], p["paid_amount"], p["paid_on"])
                  for p in values["payments"]])


def includeme(config):
    config.include("portal.api.entities")
    config.add_api_entity("advance_schedules", schema=AdvanceScheduleApiSchema, find=find_schedule,
                          current=schedule_values, apply=apply_schedule, title="Advance schedule")
