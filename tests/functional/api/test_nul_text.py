"""Text with a NUL character (which PostgreSQL cannot store; schemathesis found it) is a row's error in
a batch and a 404 in a path, never a server error."""
from tests.functional.api.conftest import bearer


def test_a_nul_in_a_value_is_that_rows_error(testapp, write_key):
    body = {"items": [{"external_id": "N-1", "name": "A\x00cme"}, {"external_id": "N-\x00", "name": "x"},
                      {"external_id": "N-2", "name": "Fine"}]}
    response = testapp.post_json("/api/v1/parties", body, headers=bearer(write_key))
    results = response.json["results"]
    assert [r["result"] for r in results] == ["error", "error", "created"]
    assert results[0]["errors"] == [{"field": "name", "message": "Text cannot hold the NUL character."}]
    assert results[1]["errors"][0]["field"] == "external_id"


def test_a_nul_in_a_path_is_not_found(testapp, write_key):
    for method in ("get", "delete"):
        response = getattr(testapp, method)("/api/v1/parties/N%00", headers=bearer(write_key), status=404)
        assert response.json["error"]["status"] == 404
