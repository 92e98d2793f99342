"""Many rows at once (``insert_rows``): written as an INSERT of SQLAlchemy would write them (Python
defaults made, values through their types, the database's defaults for the rest), a refused row failing
the statement as SQLAlchemy's IntegrityError, the transaction usable again after its savepoint. On
PostgreSQL they go by COPY, elsewhere by executemany: the test runs on either."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from portal.db.bulk import insert_rows
from portal.db.meta import utcnow
from portal.finance.models import Invoice
from portal.outbox.models import OutboxMessage
from tests.conftest import statements
from tests.factories import PartyFactory, UserFactory


def columns(row, names):
    return tuple(getattr(row, name) for name in names)


def test_the_rows_are_those_an_insert_writes(dbsession):
    user = UserFactory()
    dbsession.flush()
    rows = [{"channel": "email", "recipient": f"r{n}@example.test", "subject": f"Subject {n}",
             "body": "Hello,\n  <b>&</b> ‘quoted’ \\ tab\tend\n", "user_id": user.id if n else None,
             "party_id": None, "topic": f"bulk.{n}"} for n in range(3)]
    before = utcnow()
    assert insert_rows(dbsession, OutboxMessage.__table__, rows) == 3
    dbsession.execute(insert(OutboxMessage.__table__), [dict(row, topic=row["topic"] + ".orm") for row in rows])
    written = {row.topic: row for row in dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic.like("bulk.%")))}
    names = ("channel", "recipient", "subject", "body", "user_id", "party_id", "state", "attempts", "last_error",
             "sent_at")
    for n in range(3):
        assert columns(written[f"bulk.{n}"], names) == columns(written[f"bulk.{n}.orm"], names)
        assert written[f"bulk.{n}"].created_at >= before and written[f"bulk.{n}"].next_attempt_at.tzinfo is not None
    assert written["bulk.0"].state == "pending" and written["bulk.0"].user_id is None
    assert insert_rows(dbsession, OutboxMessage.__table__, []) == 0


def test_numbers_dates_and_flags_keep_their_values(dbsession):
    party = PartyFactory()
    dbsession.flush()
    # PostgreSQL keeps a NUMERIC exactly (the value must not pass through a float); SQLite keeps floats.
    big = Decimal("99999999999999.99") if dbsession.get_bind().dialect.name == "postgresql" else Decimal("1234.56")
    row = {"external_id": "BULK-1", "party_id": party.id, "number": "B/1", "issue_date": date(2026, 3, 1),
           "due_date": date(2026, 3, 15), "currency": "EUR", "net_amount": big,
           "vat_amount": Decimal("0.01"), "total_amount": Decimal("-0.10"), "cancelled": True}
    insert_rows(dbsession, Invoice.__table__, [row])
    invoice = dbsession.scalars(select(Invoice).where(Invoice.external_id == "BULK-1")).one()
    assert {name: getattr(invoice, name) for name in row} == row
    assert invoice.paid_amount == Decimal(0) and invoice.period_start is None and invoice.lines == []


def test_a_refused_row_fails_the_statement_and_the_savepoint_takes_it_back(dbsession):
    party = PartyFactory()
    dbsession.flush()
    row = {"external_id": "BULK-2", "party_id": party.id, "number": "B/2", "issue_date": date(2026, 3, 1),
           "due_date": date(2026, 3, 15), "net_amount": Decimal(1), "vat_amount": Decimal(0),
           "total_amount": Decimal(1)}
    insert_rows(dbsession, Invoice.__table__, [row])
    with pytest.raises(IntegrityError), dbsession.begin_nested():
        insert_rows(dbsession, Invoice.__table__, [dict(row, external_id="BULK-3", number="B/3"), row])
    assert dbsession.scalars(select(Invoice.external_id).where(Invoice.party_id == party.id)).all() == ["BULK-2"]


def test_a_value_its_type_refuses_is_refused_before_anything_is_written(dbsession):
    row = {"recipient": "x@example.test", "subject": "S", "body": "B", "topic": "bulk.naive",
           "created_at": datetime(2026, 1, 1, 12, 0)}
    with pytest.raises(StatementError, match="naive"):
        insert_rows(dbsession, OutboxMessage.__table__, [row])
    assert dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == "bulk.naive")).all() == []


def test_the_rows_go_in_one_statement_the_engines_listeners_are_told_of(dbsession):
    rows = [{"recipient": f"s{n}@example.test", "subject": "S", "body": "B", "topic": "bulk.one"} for n in range(5)]
    with statements(dbsession) as seen:
        insert_rows(dbsession, OutboxMessage.__table__, rows)
    assert [s.split("(")[0].strip() for s in seen] in (["INSERT INTO outbox"], ["COPY outbox"])
    assert len(dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == "bulk.one")).all()) == 5
