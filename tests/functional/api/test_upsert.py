"""Batch upserts of parties and contracts: per-row results, idempotency, atomic batches, bad input."""
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.parties.models import Contract, Party
from tests.conftest import statements
from tests.functional.api.conftest import bearer

URL = "/api/v1/parties"


def post(testapp, key, body, url=URL, status=200, **kw):
    return testapp.post_json(url, body, headers=bearer(key), status=status, **kw)


def results(response):
    return [r["result"] for r in response.json["results"]]


def parties_by_external_id(dbsession):
    dbsession.expire_all()
    return {p.external_id: p for p in dbsession.scalars(select(Party).where(Party.external_id.like("U-%")))}


BATCH = {"items": [
    {"external_id": "U-1", "name": "Holding", "tax_id": "7701", "address": "Moscow"},
    {"external_id": "U-2", "name": "Daughter", "parent": "U-1"},
]}


def test_created_then_unchanged_then_updated(testapp, dbsession, write_key):
    assert results(post(testapp, write_key, BATCH)) == ["created", "created"]
    parties = parties_by_external_id(dbsession)
    assert parties["U-2"].parent is parties["U-1"] and parties["U-1"].tax_id == "7701"
    with statements(dbsession) as seen:
        again = post(testapp, write_key, BATCH)
    assert results(again) == ["unchanged", "unchanged"]
    assert not [s for s in seen if s.lstrip().upper().startswith("UPDATE PARTIES") or "INSERT INTO parties" in s]
    changed = {"items": [dict(BATCH["items"][0], address="Kazan"), BATCH["items"][1]]}
    assert results(post(testapp, write_key, changed)) == ["updated", "unchanged"]
    assert parties_by_external_id(dbsession)["U-1"].address == "Kazan"


def test_one_object_and_null_clears_an_optional_field(testapp, dbsession, write_key):
    post(testapp, write_key, {"external_id": "U-5", "name": "Solo", "tax_id": "123"})
    assert results(post(testapp, write_key, {"external_id": "U-5", "name": "Solo", "tax_id": None})) == ["updated"]
    assert parties_by_external_id(dbsession)["U-5"].tax_id is None
    read = testapp.get("/api/v1/parties/U-5", headers=bearer(write_key)).json
    assert read["name"] == "Solo" and read["tax_id"] is None


def test_a_bad_row_does_not_block_the_good_ones(testapp, dbsession, write_key):
    body = {"items": [{"external_id": "U-1", "name": "Good"}, {"external_id": "U-2"},
                      {"external_id": "U-3", "name": "Orphan", "parent": "U-404"},
                      {"external_id": "U-4", "name": "Good too", "email": "not an e-mail"},
                      {"external_id": "U-1", "name": "Twice"}, "not an object"]}
    response = post(testapp, write_key, body)
    assert results(response) == ["created", "error", "error", "error", "error", "error"]
    errors = [r.get("errors", [{}])[0].get("field") for r in response.json["results"]]
    assert errors == [None, "name", "parent", "email", "external_id", ""]
    assert set(parties_by_external_id(dbsession)) == {"U-1"}
    assert response.json["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "error": 5}


def test_atomic_rolls_back_every_row_when_one_fails(testapp, dbsession, write_key):
    body = {"items": [{"external_id": "U-1", "name": "Good"}, {"external_id": "U-2", "parent": "U-1"}]}
    response = post(testapp, write_key, body, url=URL + "?atomic=true", status=422)
    assert response.json["committed"] is False
    assert parties_by_external_id(dbsession) == {}
    body["items"][1]["name"] = "Fixed"
    assert post(testapp, write_key, body, url=URL + "?atomic=true").json["committed"] is True
    assert set(parties_by_external_id(dbsession)) == {"U-1", "U-2"}


def test_unknown_fields_are_errors_unless_lenient(testapp, dbsession, write_key):
    row = {"external_id": "U-1", "name": "Acme", "colour": "red"}
    response = post(testapp, write_key, row)
    assert response.json["results"][0]["errors"] == [{"field": "colour", "message": "Unknown field."}]
    assert parties_by_external_id(dbsession) == {}
    assert results(post(testapp, write_key, row, url=URL + "?lenient=true")) == ["created"]


def test_malformed_json_and_wrong_shapes_are_400(testapp, write_key):
    for body in (b"{not json", b'"a string"', b'{"items": {"a": 1}}', b'{"items": [], "extra": 1}', b"\xff\xfe"):
        response = testapp.post(URL, body, headers=dict(bearer(write_key), **{"Content-Type": "application/json"}),
                                status=400)
        assert response.json["error"]["status"] == 400


def test_an_oversized_batch_is_413_and_writes_nothing(testapp, dbsession, write_key):
    body = {"items": [{"external_id": f"U-{n}", "name": "x"} for n in range(1001)]}
    assert post(testapp, write_key, body, status=413).json["error"]["status"] == 413
    assert parties_by_external_id(dbsession) == {}


def test_contracts_reference_their_party_by_external_id(testapp, dbsession, write_key):
    post(testapp, write_key, {"external_id": "U-1", "name": "Acme"})
    url = "/api/v1/contracts"
    body = {"items": [{"external_id": "K-1", "party": "U-1", "number": "12/2026", "valid_from": "2026-01-01",
                       "valid_to": "2026-12-31"},
                      {"external_id": "K-2", "party": "U-404", "number": "13/2026", "valid_from": "2026-01-01"},
                      {"external_id": "K-3", "party": "U-1", "number": "14", "valid_from": "2026-02-01",
                       "valid_to": "2026-01-01"},
                      {"external_id": "K-4", "party": "U-1", "number": "15", "valid_from": "01.02.2026"}]}
    response = post(testapp, write_key, body, url=url)
    assert results(response) == ["created", "error", "error", "error"]
    assert [r.get("errors", [{}])[0].get("field") for r in response.json["results"]][1:] == \
        ["party", "valid_to", "valid_from"]
    contract = dbsession.scalars(select(Contract).where(Contract.external_id == "K-1")).one()
    assert (contract.party.external_id, contract.valid_to) == ("U-1", date(2026, 12, 31))
    assert results(post(testapp, write_key, {"items": body["items"][:1]}, url=url)) == ["unchanged"]
    read = testapp.get("/api/v1/contracts/K-1", headers=bearer(write_key)).json
    assert read == {"external_id": "K-1", "party": "U-1", "number": "12/2026", "valid_from": "2026-01-01",
                    "valid_to": "2026-12-31"}


def test_a_row_the_database_refuses_fails_alone_and_the_rest_of_its_chunk_goes_in(testapp, dbsession, write_key):
    post(testapp, write_key, {"external_id": "U-1", "name": "Acme"})
    rows = [{"external_id": f"K-{n}", "party": "U-1", "number": f"{n}/2026", "valid_from": "2026-01-01"}
            for n in range(6)]
    rows[3]["number"] = "1/2026"  # no check but the unique constraint: the chunk's flush fails, not a row
    rows[4]["party"] = "U-404"
    response = post(testapp, write_key, {"items": rows}, url="/api/v1/contracts")
    assert results(response) == ["created"] * 3 + ["error", "error", "created"]
    assert [r["errors"][0]["message"] for r in response.json["results"][3:5]] == [
        "The row conflicts with another record.", "No party has the external id U-404."]
    dbsession.expire_all()
    assert sorted(dbsession.scalars(select(Contract.external_id).where(Contract.external_id.like("K-%")))) == [
        "K-0", "K-1", "K-2", "K-5"]
    again = [{"external_id": "K-6", "party": "U-1", "number": "0/2026", "valid_from": "2026-01-01"},
             {"external_id": "K-7", "party": "U-1", "number": "7/2026", "valid_from": "2026-01-01"}]
    assert results(post(testapp, write_key, {"items": again}, url="/api/v1/contracts")) == ["error", "created"]


def test_delete_is_405_where_the_record_cannot_be_removed_softly(testapp, write_key):
    post(testapp, write_key, {"external_id": "U-1", "name": "Acme"})
    response = testapp.delete("/api/v1/parties/U-1", headers=bearer(write_key), status=405)
    assert "cannot be deleted" in response.json["error"]["message"]


ROWS = st.lists(st.tuples(st.sampled_from(["U-a", "U-b", "U-c"]),
                          st.text(alphabet="abcXYZ ", min_size=1, max_size=6).map(str.strip).filter(bool),
                          st.one_of(st.none(), st.sampled_from(["1", "22", "333"]))),
                min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(ROWS, min_size=1, max_size=4))
def test_any_sequence_of_upserts_ends_in_the_last_payload(testapp, dbsession, write_key, batches):
    last = {}
    for rows in batches:
        items, seen = [], set()
        for external_id, name, tax_id in rows:
            if external_id in seen:
                continue  # a second row of an id in one batch is an error by design
            seen.add(external_id)
            items.append({"external_id": external_id, "name": name, "tax_id": tax_id})
            last[external_id] = (name, tax_id)
        post(testapp, write_key, {"items": items})
    stored = {e: (p.name, p.tax_id) for e, p in parties_by_external_id(dbsession).items()}
    for external_id, values in last.items():
        assert stored[external_id] == values


def test_an_external_id_with_slashes_is_read_back_by_its_path(testapp, dbsession, write_key):
    post(testapp, write_key, {"external_id": "ORG", "name": "Org"})
    testapp.post_json("/api/v1/contracts", {"external_id": "ORG/K/2026-1", "party": "ORG", "number": "K-1", "valid_from": "2026-01-01"}, headers=bearer(write_key))
    read = testapp.get("/api/v1/contracts/ORG/K/2026-1", headers=bearer(write_key)).json
    assert read["external_id"] == "ORG/K/2026-1"
    testapp.get("/api/v1/contracts/ORG/K/none", headers=bearer(write_key), status=404)
