"""Download headers: every browser keeps the name, and no name can break out of the header."""
import io
from urllib.parse import unquote

from portal.views.downloads import content_disposition, file_response


def test_real_name_travels_in_rfc_5987_and_a_plain_ascii_one_beside_it():
    header = content_disposition("Контрагенты 2026-01-31.xlsx", "parties-2026-01-31.xlsx")
    assert header.startswith('attachment; filename="parties-2026-01-31.xlsx"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Контрагенты 2026-01-31.xlsx"
    header.encode("ascii")


def test_names_cannot_inject_parameters_or_headers():
    header = content_disposition('a"b;c\r\nSet-Cookie: x=1.xlsx', 'a"b; c\r\nx=1.xlsx')
    assert "\r" not in header and "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "a_b_c_x_1.xlsx"
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert not set(encoded) & set(' ";\r\n')


def test_empty_fallback_still_names_a_file():
    assert 'filename="download"' in content_disposition("Отчёт", "…")


def test_file_response_streams_the_whole_file_and_closes_it():
    data = b"x" * 200_000
    fileobj = io.BytesIO(data)
    fileobj.seek(123)  # wherever the writer left it
    response = file_response(fileobj, content_type="application/octet-stream", filename="f", ascii_filename="f")
    assert response.content_length == len(data)
    chunks = list(response.app_iter)
    assert b"".join(chunks) == data and len(chunks) > 1
    response.app_iter.close()
    assert fileobj.closed
