"""Invoices, payments and balances as entities of the integration API (``/api/v1/invoices``,
``/api/v1/payments``, ``/api/v1/balances``), written through the finance records service
(services/records.py) the demo writes with, so their amounts add up as everywhere else.

An invoice's paid amount is what the payments allocated to it: a payment's allocations are
replaced whole when sent, and each invoice they touch gains or loses the difference. The schemas
live here, with the only code that reads them.
"""
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import colander
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from portal.api.consistency import note_missing
from portal.api.entities import RowError
from portal.api.files import checked_file, stored_file
from portal.api.nodes import (
    choice_node,
    currency_node,
    day_node,
    decimal_node,
    external_id_node,
    file_node,
    list_node,
    optional_date,
    optional_decimal,
    optional_flag,
    optional_text,
    reference_node,
    sorted_by,
    text_node,
    unique_in_list,
)
from portal.api.references import (
    by_external_id,
    by_external_ids,
    chunk_lookup,
    external_id_of,
    linked_contract,
    prefetch_contracts,
    referenced_party,
    unmoved,
)
from portal.attachments.services import AttachmentService
from portal.db.among import IN_LIST, among, among_pairs
from portal.finance.mail import announce, issued, recent_days
from portal.finance.models import (
    ZERO,
    Balance,
    BalanceKind,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    TopUpRequest,
)
from portal.finance.services.records import (
    LineInput,
    insert_invoices,
    invoice_columns,
    upsert_balance,
    upsert_invoice,
    upsert_payment,
)
from portal.finance.services.top_up import TopUpRefused, settle
from portal.i18n import _
from portal.outbox.letters import letters_for
from portal.parties.models import Party

MAX_LINES = 1000
MAX_ALLOCATIONS = 1000
TOTALS = ("net_amount", "vat_amount", "total_amount")
MAX_AMOUNT = Decimal(10) ** 14  # what MONEY (16 digits, 2 after the point) holds no longer
ANSWERED = "portal.finance.api.answered_top_up"  # an invoice's, looked up with its batch's
LINES = "portal.finance.api.lines"  # an invoice's lines as ``invoice_values`` gives them, read with its batch's
NUMBERS = "invoice numbers"  # a chunk lookup: (party id, number) -> external id of the invoice holding it, or None
NEW = "new invoices"  # a chunk lookup: external id -> (columns, lines) of a new invoice, written at the chunk's flush
LOOK_IT_UP = object()


# --- schemas -------------------------------------------------------------------------------
def _dates_in_order(node, values):
    if values["due_date"] < values["issue_date"]:
        raise colander.Invalid(node["due_date"], _("An invoice falls due on or after the day it is issued."))
    if values.get("period_start") and values.get("period_end") and values["period_end"] < values["period_start"]:
        raise colander.Invalid(node["period_end"], _("The end is before the start."))


class InvoiceLineApiSchema(colander.MappingSchema):
    text = text_node(500, title=_("Text"))
    quantity = decimal_node(16, 3, title=_("Quantity"))
    unit = text_node(16, title=_("Unit"))
    price = decimal_node(16, 4, title=_("Price per unit"))
    vat_rate = decimal_node(5, 2, minimum=0, maximum=100, title=_("VAT rate, %"))


class InvoiceApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    party = external_id_node(title=_("Party (external id)"))
    contract = reference_node(title=_("Contract (external id)"))
    number = text_node(64, title=_("Number"))
    issue_date = day_node(title=_("Issued on"))
    due_date = day_node(title=_("Due on"))
    period_start = optional_date(title=_("Billed period from"))
    period_end = optional_date(title=_("Billed period to"))
    currency = currency_node(title=_("Currency"))
    cancelled = optional_flag(title=_("Cancelled"))
    lines = list_node(InvoiceLineApiSchema(name="line"), max_items=MAX_LINES,
                      title=_("Lines, in order (replaced whole when sent; totals are worked out from them)"))
    net_amount = optional_decimal(16, 2, title=_("Net total (checked against the lines when sent)"))
    vat_amount = optional_decimal(16, 2, title=_("VAT total (checked against the lines when sent)"))
    total_amount = optional_decimal(16, 2, title=_("Total (checked against the lines when sent)"))
    pdf = file_node(title=_("The accounting system's PDF of the invoice (base64), shown instead of the portal's"))
    top_up_request = colander.SchemaNode(
        colander.Integer(), missing=colander.drop, validator=colander.Range(min=1, max=2**31 - 1),
        title=_("The top-up request this invoice answers (its number in the portal, from the "
                "top_up_requests feed): the request is settled and its author told"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_dates_in_order, **kw)


class AllocationApiSchema(colander.MappingSchema):
    invoice = external_id_node(title=_("Invoice (external id)"))
    amount = decimal_node(16, 2, positive=True, title=_("Amount"))


class PaymentApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    party = external_id_node(title=_("Party (external id)"))
    paid_on = colander.SchemaNode(colander.Date(), title=_("Paid on"))
    amount = decimal_node(16, 2, positive=True, title=_("Amount"))
    currency = currency_node(title=_("Currency"))
    number = optional_text(64, title=_("Payment order number"))
    purpose = optional_text(500, title=_("Purpose"))
    allocations = list_node(
        AllocationApiSchema(name="allocation"), max_items=MAX_ALLOCATIONS, preparer=sorted_by("invoice"),
        validator=unique_in_list("invoice", _("Each invoice comes once."), max_items=MAX_ALLOCATIONS),
        title=_("What it paid, per invoice (replaced whole when sent)"))


class BalanceApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    party = external_id_node(title=_("Party (external id)"))
    kind = choice_node(BalanceKind, title=_("Kind"))
    as_of = colander.SchemaNode(colander.Date(), title=_("As of"))
    amount = decimal_node(16, 2, title=_("Amount (positive: the customer owes)"))
    currency = currency_node(title=_("Currency"))
    services_amount = optional_decimal(16, 2, title=_("Of it, services rendered"))
    penalties_amount = optional_decimal(16, 2, title=_("Of it, penalties"))
    prepayments_amount = optional_decimal(16, 2, title=_("Of it, prepayments"))


# --- invoices ------------------------------------------------------------------------------
def _invoice_loads():
    return joinedload(Invoice.party), joinedload(Invoice.contract), joinedload(Invoice.lines)


def find_invoice(db, external_id):
    return by_external_id(db, Invoice, external_id, *_invoice_loads())


def find_invoices(db, external_ids) -> dict:
    """A batch's invoices, each with the top-up request it answers and its lines (as plain rows, not ORM
    objects: most rows of a batch sent again are only compared) looked up with the others, for the
    comparison that follows to take (``answered_top_up``, ``_line_values``); their parties are those the
    session holds (``upsert_chunk`` looked the chunk's up), the others looked up in a query."""
    invoices = by_external_ids(db, Invoice, external_ids, joinedload(Invoice.contract))
    by_id = {invoice.id: invoice for invoice in invoices.values()}
    held = {key[1][0] for key in (identity_key(Party, invoice.party_id) for invoice in by_id.values())
            if key in db.identity_map}
    missing = sorted({invoice.party_id for invoice in by_id.values()} - held)  # a batch's parties are held mostly
    for first in range(0, len(missing), IN_LIST):
        db.scalars(select(Party).where(among(db, Party.id, missing[first:first + IN_LIST]))).all()
    answered = dict(db.execute(select(TopUpRequest.invoice_id, TopUpRequest.request_id).where(
        among(db, TopUpRequest.invoice_id, by_id))).all()) if by_id else {}
    unread = [invoice_id for invoice_id, invoice in by_id.items() if "lines" in inspect(invoice).unloaded]
    lines = defaultdict(list)
    for first in range(0, len(unread), IN_LIST):
        for invoice_id, *values in db.execute(
                select(InvoiceLine.invoice_id, InvoiceLine.description, InvoiceLine.quantity, InvoiceLine.unit,
                       InvoiceLine.unit_price, InvoiceLine.vat_rate)
                .where(among(db, InvoiceLine.invoice_id, unread[first:first + IN_LIST]))
                .order_by(InvoiceLine.invoice_id, InvoiceLine.position)):
            lines[invoice_id].append(dict(zip(LINE_FIELDS, values)))
    for invoice_id, invoice in by_id.items():
        info = inspect(invoice).info
        info[ANSWERED] = answered.get(invoice_id)
        info.pop(LINES, None)
    for invoice_id in unread:
        inspect(by_id[invoice_id]).info[LINES] = lines[invoice_id]
    return invoices


LINE_FIELDS = ("text", "quantity", "unit", "price", "vat_rate")


def _line_values(invoice) -> list[dict]:
    """The invoice's lines as a row gives them: as ``find_invoices`` read them the first time they are
    asked while its ``lines`` are not loaded, else from those."""
    state = inspect(invoice)
    read = state.info.pop(LINES, None)
    if read is not None and "lines" in state.unloaded:
        return read
    return [{"text": line.description, "quantity": line.quantity, "unit": line.unit, "price": line.unit_price,
             "vat_rate": line.vat_rate} for line in invoice.lines]


def invoice_values(store, invoice: Invoice) -> dict:
    return {
        "external_id": invoice.external_id, "party": invoice.party.external_id,
        "contract": external_id_of(invoice.contract), "number": invoice.number,
        "issue_date": invoice.issue_date, "due_date": invoice.due_date,
        "period_start": invoice.period_start, "period_end": invoice.period_end,
        "currency": invoice.currency, "cancelled": invoice.cancelled,
        "lines": _line_values(invoice),
        "net_amount": invoice.net_amount, "vat_amount": invoice.vat_amount, "total_amount": invoice.total_amount,
        "pdf": stored_file(store, invoice.pdf_sha256),
        "top_up_request": answered_top_up(object_session(invoice), invoice),
    }


def _load_lines(db, invoices) -> None:
    """Load the ORM lines of ``invoices`` (those not loaded yet) in a query: an invoice brought up to date
    replaces them (services/records.py)."""
    unread = {invoice.id: invoice for invoice in invoices if "lines" in inspect(invoice).unloaded}
    ids = sorted(unread)
    loaded = defaultdict(list)
    for first in range(0, len(ids), IN_LIST):
        for line in db.scalars(select(InvoiceLine).where(among(db, InvoiceLine.invoice_id, ids[first:first + IN_LIST]))
                               .order_by(InvoiceLine.invoice_id, InvoiceLine.position)):
            loaded[line.invoice_id].append(line)
    for invoice_id, invoice in unread.items():
        set_committed_value(invoice, "lines", loaded[invoice_id])


def prefetch_invoices(db, rows) -> None:
    """What the invoices of a chunk name, looked up at once: their contracts, and which invoices hold the
    numbers they take (``rows``: ``(invoice or None, values)``; a row whose party is not here is left to
    ``apply_invoice`` to refuse); and the lines of the invoices it brings up to date."""
    _load_lines(db, [invoice for invoice, _values in rows if invoice is not None])
    prefetch_contracts(db, [values["contract"] if "contract" in values else external_id_of(
        invoice.contract if invoice is not None else None) for invoice, values in rows])
    numbers = chunk_lookup(db, NUMBERS)
    wanted = set()
    for invoice, values in rows:
        try:
            party = referenced_party(db, values["party"])
        except RowError:
            continue
        number = values.get("number", invoice.number if invoice is not None else None)
        if invoice is None or invoice.number != number:
            wanted.add((party.id, number))
    wanted = sorted(wanted - numbers.keys())
    for first in range(0, len(wanted), IN_LIST):
        some = wanted[first:first + IN_LIST]
        numbers.update(dict.fromkeys(some))
        numbers.update(((party_id, number), external_id) for party_id, number, external_id in db.execute(
            select(Invoice.party_id, Invoice.number, Invoice.external_id)
            .where(among_pairs(db, (Invoice.party_id, Invoice.number), some))))


def _number_is_free(db, party, invoice, number):
    """Refuse a number another invoice of the party holds: as the chunk's lookup says (``prefetch_invoices``,
    kept up to date by ``_number_taken``), else as the database does."""
    if invoice is not None and invoice.number == number:
        return
    numbers = chunk_lookup(db, NUMBERS) or {}
    if (party.id, number) in numbers:
        taken = numbers[party.id, number]
    else:
        taken = db.scalars(select(Invoice.external_id).where(Invoice.party_id == party.id, Invoice.number == number)
                           ).first()
    if taken is not None:
        raise RowError("number", _("The party has another invoice numbered ${number} (${id}).",
                                   mapping={"number": number, "id": taken}))


def _number_taken(db, party_id, number, external_id, before) -> None:
    """Keep the chunk's lookup of numbers (if any) up to date with the invoice ``external_id`` just written
    (its party and number now); ``before``: the party and number it held until now, or None for a new one."""
    numbers = chunk_lookup(db, NUMBERS)
    if numbers is None:
        return
    if before is not None and numbers.get(before) == external_id:
        numbers[before] = None
    numbers[party_id, number] = external_id


def answered_top_up(db, invoice) -> int | None:
    """The number of the top-up request ``invoice`` answers, if any: looked up with the batch's
    invoices (``find_invoices``) the first time it is asked, from the database after that (none for an
    invoice not written yet)."""
    if invoice.id is None:
        return None
    looked_up = inspect(invoice).info.pop(ANSWERED, LOOK_IT_UP)
    if looked_up is not LOOK_IT_UP:
        return looked_up
    return db.scalars(select(TopUpRequest.request_id).where(TopUpRequest.invoice_id == invoice.id)).first()


def answer_top_up(db, registry, invoice, request_id) -> None:
    """Settle the top-up request the invoice names; a link once made stays."""
    answered = answered_top_up(db, invoice)
    if request_id is None or request_id == answered:
        if answered is not None and request_id is None:
            raise RowError("top_up_request", _("This invoice answers top-up request #${id}; that link stays.",
                                               mapping={"id": answered}))
        return
    if answered is not None:
        raise RowError("top_up_request", _("This invoice answers top-up request #${id} already.",
                                           mapping={"id": answered}))
    try:
        settle(db, request_id, invoice, registry=registry)
    except TopUpRefused as refused:
        raise RowError("top_up_request", refused.message) from None


def apply_invoice(store, db, invoice, values, registry=None):
    """The invoice as ``values`` say; None for a new one written in a chunk (api/services.py): it goes in with
    the chunk's other new invoices at its flush (``write_new_invoices``), without an ORM object each, unless
    it answers a top-up request (settling one takes the invoice)."""
    party = referenced_party(db, values["party"])
    unmoved(invoice, party, _("The invoice belongs to another party; it cannot move to another."))
    if invoice is None and "lines" not in values:
        raise RowError("lines", _("A new invoice needs its lines."))
    row = dict(invoice_values(store, invoice) if invoice is not None else {}, **values)
    if row.get("period_start") and row.get("period_end") and row["period_end"] < row["period_start"]:
        raise RowError("period_end", _("The end is before the start."))
    contract = linked_contract(db, party, row.get("contract"))
    _number_is_free(db, party, invoice, row["number"])
    pdf_sha256 = invoice.pdf_sha256 if invoice is not None else None
    upload = None
    if "pdf" in values:
        upload = checked_file(store, values["pdf"], "invoice.pdf", "pdf") if values["pdf"] is not None else None
        pdf_sha256 = upload.sha256 if upload is not None else None
    lines = [LineInput(line["text"], line["quantity"], line["unit"], line["price"], line["vat_rate"])
             for line in row["lines"]]
    if sum(abs(line.amounts()[2]) for line in lines) >= MAX_AMOUNT:
        raise RowError("lines", _("The lines add up to more than an amount can hold."))
    before = (invoice.party_id, invoice.number) if invoice is not None else None
    written = dict(
        external_id=row["external_id"], party_id=party.id, number=row["number"], issue_date=row["issue_date"],
        due_date=row["due_date"], lines=lines, currency=row.get("currency") or "RUB",
        contract_id=contract.id if contract is not None else None, period_start=row.get("period_start"),
        period_end=row.get("period_end"), paid_amount=invoice.paid_amount if invoice is not None else ZERO,
        cancelled=bool(row.get("cancelled")), pdf_sha256=pdf_sha256)
    new = chunk_lookup(db, NEW) if invoice is None and values.get("top_up_request") is None else None
    try:
        if new is None:
            invoice = upsert_invoice(db, **written, found=invoice, flush=False)
            totals = {name: getattr(invoice, name) for name in TOTALS}
        else:
            totals, line_columns = invoice_columns(**written)
        _number_taken(db, party.id, row["number"], row["external_id"], before)
        for name in TOTALS:
            if values.get(name) is not None and values[name] != totals[name]:
                raise RowError(name, _("The lines add up to ${amount}.", mapping={"amount": totals[name]}))
        if new is not None:  # written with the chunk's other new invoices at its flush (``write_new_invoices``)
            new[row["external_id"]] = (totals, line_columns)
    except BaseException:
        if upload is not None:
            store.discard(upload)
        raise
    if upload is not None:
        store.keep(upload)
    if "top_up_request" in values and invoice is not None:
        answer_top_up(db, registry, invoice, values["top_up_request"])
    return invoice


def write_new_invoices(db) -> None:
    """The chunk's flush: the new invoices ``apply_invoice`` left to it, in a statement or two (and none
    after: the chunk's lookups are forgotten when it is written)."""
    new = chunk_lookup(db, NEW)
    if new:
        insert_invoices(db, list(new.values()))
        new.clear()


def cancel_invoice(db, invoice):
    """An invoice is never removed: it is cancelled (it stays, with its lines, shown as cancelled)."""
    invoice.cancelled = True
    db.flush()


# --- payments ------------------------------------------------------------------------------
def find_payment(db, external_id):
    return by_external_id(db, Payment, external_id,
                          selectinload(Payment.allocations).joinedload(PaymentAllocation.invoice))


def _party_external_id(record) -> str:
    return object_session(record).get(Party, record.party_id).external_id


def payment_values(payment: Payment) -> dict:
    return {
        "external_id": payment.external_id, "party": _party_external_id(payment), "paid_on": payment.paid_on,
        "amount": payment.amount, "currency": payment.currency, "number": payment.number,
        "purpose": payment.purpose or None,
        "allocations": sorted(({"invoice": a.invoice.external_id, "amount": a.amount} for a in payment.allocations),
                              key=lambda a: a["invoice"]),
    }


def _allocated(db, party, currency, allocations, before: dict) -> dict:
    """Invoice -> amount of ``allocations``, each checked against what is left to pay on its invoice
    (``before``: what this payment paid on each invoice until now, which is free again)."""
    wanted = [a["invoice"] for a in allocations]
    invoices = {i.external_id: i for i in db.scalars(select(Invoice).where(Invoice.external_id.in_(wanted)))}
    allocated = {}
    for allocation in allocations:
        external_id, amount = allocation["invoice"], allocation["amount"]
        invoice = invoices.get(external_id)
        if invoice is None:  # not arrived yet: the payment is kept without this part, until it has
            note_missing(db, "allocations", external_id)
            continue
        if invoice.party_id != party.id:
            raise RowError("allocations", _("The invoice ${id} is another party's.", mapping={"id": external_id}))
        if invoice.currency != currency:
            raise RowError("allocations", _("The invoice ${id} is in ${invoice}, the payment in ${payment}.",
                                            mapping={"id": external_id, "invoice": invoice.currency,
                                                     "payment": currency}))
        left = ZERO if invoice.cancelled else max(invoice.total_amount - invoice.paid_amount
                                                  + before.get(invoice.id, ZERO), ZERO)
        if amount > left:
            raise RowError("allocations", _("The invoice ${id} has ${left} left to pay, less than ${amount}.",
                                            mapping={"id": external_id, "left": left, "amount": amount}))
        allocated[invoice] = amount
    return allocated


def apply_payment(db, payment, values):
    party = referenced_party(db, values["party"])
    unmoved(payment, party, _("The payment belongs to another party; it cannot move to another."))
    row = dict(payment_values(payment) if payment is not None else {}, **values)
    currency = row.get("currency") or "RUB"
    before = {a.invoice_id: a.amount for a in payment.allocations} if payment is not None else {}
    touched = {a.invoice_id: a.invoice for a in payment.allocations} if payment is not None else {}
    allocated = _allocated(db, party, currency, row.get("allocations") or [], before)
    if sum(allocated.values(), ZERO) > row["amount"]:
        raise RowError("allocations", _("The allocations add up to more than the payment."))
    payment = upsert_payment(db, external_id=row["external_id"], party_id=party.id, paid_on=row["paid_on"],
                             amount=row["amount"], purpose=row.get("purpose") or "", number=row.get("number"),
                             currency=currency, allocations={i.id: amount for i, amount in allocated.items()})
    touched.update({invoice.id: invoice for invoice in allocated})
    paid_now = {invoice.id: amount for invoice, amount in allocated.items()}
    for invoice_id, invoice in touched.items():
        invoice.paid_amount += paid_now.get(invoice_id, ZERO) - before.get(invoice_id, ZERO)
    return payment


# --- balances ------------------------------------------------------------------------------
def find_balance(db, external_id):
    return by_external_id(db, Balance, external_id)


BALANCE_PARTS = ("services_amount", "penalties_amount", "prepayments_amount")


def balance_values(balance: Balance) -> dict:
    values = {name: getattr(balance, name) for name in ("external_id", "kind", "as_of", "amount", "currency")}
    values.update({name: getattr(balance, name) for name in BALANCE_PARTS})
    values["party"] = _party_external_id(balance)
    return values


def apply_balance(db, balance, values):
    """One balance per party, kind, currency and day: a row naming a day another balance holds is refused."""
    party = referenced_party(db, values["party"])
    row = dict(balance_values(balance) if balance is not None else {}, **values)
    currency = row.get("currency") or "RUB"
    holder = db.scalars(select(Balance).where(Balance.party_id == party.id, Balance.kind == row["kind"],
                                              Balance.currency == currency, Balance.as_of == row["as_of"])).first()
    if holder is not None and holder is not balance:
        raise RowError("as_of", _("The party has another ${kind} balance in ${currency} as of that day.",
                                  mapping={"kind": row["kind"], "currency": currency}))
    if balance is not None:  # moved to its new day first, so that the service finds it there
        balance.party_id, balance.kind, balance.currency, balance.as_of = party.id, row["kind"], currency, row["as_of"]
    return upsert_balance(db, party_id=party.id, kind=row["kind"], as_of=row["as_of"], amount=row["amount"],
                          currency=currency, services=row.get("services_amount"),
                          penalties=row.get("penalties_amount"), prepayments=row.get("prepayments_amount"),
                          external_id=row["external_id"])


def includeme(config):
    """Payments and balances have no state a delete could set: ``DELETE`` answers 405 for them."""
    config.include("portal.api.entities")
    registry = config.registry

    def store(db):
        return AttachmentService(db, registry["upload_policy"])

    def announce_invoices(db, external_ids):
        invoices = issued(db, external_ids)
        today = datetime.now(registry["portal_tz"]).date()
        announce(db, letters_for(registry), invoices, today=today, days=recent_days(registry.settings or {}))

    config.add_api_entity("invoices", schema=InvoiceApiSchema, find=find_invoice, find_many=find_invoices,
                          prefetch=prefetch_invoices, flush=write_new_invoices,
                          current=lambda invoice: invoice_values(store(object_session(invoice)), invoice),
                          apply=lambda db, invoice, values: apply_invoice(store(db), db, invoice, values, registry),
                          delete=cancel_invoice, title="Invoice", announce=announce_invoices)
    config.add_api_entity("payments", schema=PaymentApiSchema, find=find_payment, current=payment_values,
                          apply=apply_payment, title="Payment")
    config.add_api_entity("balances", schema=BalanceApiSchema, find=find_balance, current=balance_values,
                          apply=apply_balance, title="Balance")
