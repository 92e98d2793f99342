"""The utility's demo data (``portal-demo`` runs ``load_demo`` when the vertical is switched on).

Sever Energo (in Russian, as its users read) has two electricity supply points,
one with a day/night meter open for self-readings; Yug Vodokanal (in English)
has a water supply point open for them. Each meter has a year of monthly
readings, recorded through the same service the accounting system's readings
go through, and each contract its document. Everything is found by its
accounting id first, so a second run adds nothing.
"""
import calendar
from datetime import date
from decimal import Decimal
from io import BytesIO

from sqlalchemy import select

from portal.attachments.models import Attachment
from portal.attachments.services import AttachmentService, UploadPolicy
from portal.parties.models import Contract, Party
from portal.utility.models import Meter, Reading, Register, SupplyPoint
from portal.utility.services import CONTRACT_OWNER, record_accepted_reading
from portal.workflows.services import WorkflowService

MONTHS = 12
# point: party, accounting id, address, medium, tariff, contract number, self-readings,
# meters: (serial, accounting id, registers: (code, name, digits, decimals, unit, usual per day, first value))
POINTS = [
    {"party": "DEMO-SEVER-ENERGO", "external_id": "DEMO-SEVER-ENERGO/SP-1",
     "address": "Москва, Тверская ул., 1, стр. 2, ВРУ-1", "medium": "electricity",
     "tariff": "Двухзонный (день/ночь)", "contract": "E-2024/117", "self_readings": True,
     "document": "Договор E-2024-117.pdf",
     "meters": [("CE6850M-0112233", "DEMO-SEVER-ENERGO/M-1", [
         ("T1", "День", 6, 1, "кВт·ч", Decimal("120"), Decimal("18250.4")),
         ("T2", "Ночь", 6, 1, "кВт·ч", Decimal("45"), Decimal("7120.8"))])]},
    {"party": "DEMO-SEVER-ENERGO", "external_id": "DEMO-SEVER-ENERGO/SP-2",
     "address": "Москва, Тверская ул., 1, стр. 2, склад", "medium": "electricity",
     "tariff": "Одноставочный", "contract": "E-2024/117", "self_readings": False, "document": None,
     "meters": [("CE301-0445566", "DEMO-SEVER-ENERGO/M-2", [
         ("T", "Общий", 6, 0, "кВт·ч", Decimal("60"), Decimal("40211"))])]},
    {"party": "DEMO-YUG", "external_id": "DEMO-YUG/SP-1",
     "address": "Krasnodar, Krasnaya 40, main building", "medium": "water",
     "tariff": "Cold water, single rate", "contract": "W-2022/077", "self_readings": True,
     "document": "Contract W-2022-077.pdf",
     "meters": [("WM-7734", "DEMO-YUG/M-1", [
         ("V", "Cold water", 5, 3, "m³", Decimal("18.5"), Decimal("3105.120"))])]},
]
# Consumption by calendar month against the usual: more in winter for electricity, in summer for water.
SEASON = {"electricity": (Decimal("1.25"), Decimal("1.2"), Decimal("1.05"), Decimal("0.95"), Decimal("0.85"),
                          Decimal("0.8"), Decimal("0.8"), Decimal("0.85"), Decimal("0.95"), Decimal("1.05"),
                          Decimal("1.15"), Decimal("1.25")),
          "water": (Decimal("0.85"), Decimal("0.85"), Decimal("0.9"), Decimal("0.95"), Decimal("1.05"),
                    Decimal("1.2"), Decimal("1.3"), Decimal("1.25"), Decimal("1.05"), Decimal("0.95"),
                    Decimal("0.9"), Decimal("0.85"))}


def month_ends(today: date, count: int) -> list[date]:
    """The last days of the ``count`` months before this one, oldest first."""
    ends, year, month = [], today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
    return list(reversed(ends))


def demo_pdf(title: str) -> bytes:
    """A one-page PDF saying ``title`` (ASCII): enough for a demo contract to download and open."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _get_or_add(db, model, where, **values):
    row = db.scalars(select(model).filter_by(**where)).first()
    if row is None:
        row = model(**where, **values)
        db.add(row)
        db.flush()
    return row


def _document(db, attachments, contract, filename):
    """The contract's document, stored once (checked as any upload is)."""
    exists = db.scalars(select(Attachment).where(Attachment.owner_type == CONTRACT_OWNER,
                                                 Attachment.owner_id == contract.id)).first()
    if exists is None:
        upload = attachments.check(BytesIO(demo_pdf(f"Contract {contract.number} (demo)")), filename)
        attachments.attach(upload, party_id=contract.party_id, owner_type=CONTRACT_OWNER, owner_id=contract.id,
                           uploaded_by_id=None)


def _readings(db, service, meter, registers, medium, today):
    """A year of monthly readings, from each register's first value on."""
    if db.scalars(select(Reading.id).where(Reading.meter_id == meter.id).limit(1)).first() is not None:
        return
    values = {code: first for code, *_rest, first in registers}
    ends = month_ends(today, MONTHS + 1)
    for index, day in enumerate(ends):
        if index:
            days = (day - ends[index - 1]).days
            for code, _name, _digits, decimals, _unit, usual, _first in registers:
                used = usual * days * SEASON[medium][day.month - 1]
                values[code] = (values[code] + used).quantize(Decimal(1).scaleb(-decimals))
        reading = record_accepted_reading(service, db, meter=meter, reading_date=day, values=dict(values))
        reading.external_id = f"{meter.external_id}/R/{day.isoformat()}"  # the accounting system's, as via the API


def load_demo(db, settings, today=None) -> None:
    today = today or date.today()
    parties = {p.external_id: p for p in db.scalars(select(Party).where(Party.external_id.like("DEMO-%")))}
    attachments = AttachmentService(db, UploadPolicy.from_settings(settings or {}))
    service = WorkflowService(db, actor_id=None, permits=lambda permission, resource: True, notify=None)
    for spec in POINTS:
        party = parties.get(spec["party"])
        if party is None:
            continue
        contract = db.scalars(select(Contract).where(Contract.party_id == party.id,
                                                     Contract.number == spec["contract"])).first()
        point = _get_or_add(db, SupplyPoint, {"external_id": spec["external_id"]}, party_id=party.id,
                            address=spec["address"], medium=spec["medium"], tariff=spec["tariff"],
                            contract_id=contract.id if contract else None, self_readings=spec["self_readings"])
        if contract is not None and spec["document"]:
            _document(db, attachments, contract, spec["document"])
        for serial, meter_id, registers in spec["meters"]:
            meter = _get_or_add(db, Meter, {"external_id": meter_id}, party_id=party.id, supply_point_id=point.id,
                                serial_number=serial, installed_on=date(2021, 1, 15))
            for position, (code, name, digits, decimals, unit, usual, _first) in enumerate(registers):
                _get_or_add(db, Register, {"meter_id": meter.id, "code": code}, name=name, integer_digits=digits,
                            decimals=decimals, unit=unit, expected_daily=usual, position=position)
            db.refresh(meter)
            _readings(db, service, meter, registers, spec["medium"], today)
