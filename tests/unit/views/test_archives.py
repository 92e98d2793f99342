"""ZIP downloads made while they stream: one member made at a time, names kept apart."""
import io
import zipfile

from pyramid import testing
from pyramid.threadlocal import get_current_request

from portal.views.archives import unique_names, zip_response


def test_repeated_names_are_told_apart():
    assert list(unique_names(["a.pdf", "a.pdf", "b.pdf", "a.pdf", "notes", "notes"])) == [
        "a.pdf", "a (2).pdf", "b.pdf", "a (3).pdf", "notes", "notes (2)"]


def test_members_are_made_one_at_a_time_as_the_archive_streams_with_the_request_current():
    request = testing.DummyRequest()
    request.registry = testing.setUp()
    testing.tearDown()  # the view has returned: no request is current any more
    made = []

    def member(n):
        def make():
            made.append((n, get_current_request() is request))
            return f"member {n} ".encode() * 1000
        return make

    response = zip_response(request, [(f"m{n}.txt", member(n)) for n in range(3)], filename="Счета.zip",
                            ascii_filename="invoices.zip")
    assert response.content_type == "application/zip" and response.content_length is None
    assert "filename*=UTF-8''%D0%A1%D1%87%D0%B5%D1%82%D0%B0.zip" in response.headers["Content-Disposition"]
    chunks = iter(response.app_iter)
    assert made == []
    first = next(chunks)
    assert made == [(0, True)] and first.startswith(b"PK")
    rest = b"".join(chunks)
    assert made == [(0, True), (1, True), (2, True)] and get_current_request() is None
    archive = zipfile.ZipFile(io.BytesIO(first + rest))
    assert archive.namelist() == ["m0.txt", "m1.txt", "m2.txt"] and archive.testzip() is None
    assert archive.read("m2.txt") == b"member 2 " * 1000
    assert archive.getinfo("m1.txt").compress_size < archive.getinfo("m1.txt").file_size
