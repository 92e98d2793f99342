"""Refuse form posts that are not valid UTF-8 instead of silently mangling them.

WebOb replaces undecodable bytes with U+FFFD; we would store garbage. The
error raised here is rendered as a 400 page by the error views.
"""
from urllib.parse import parse_qsl

from pyramid.events import NewRequest

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def _invalid(reason):
    return UnicodeDecodeError("utf-8", b"", 0, 1, reason)


def check_form_encoding(event):
    request = event.request
    if request.method != "POST":
        return
    if request.content_type == FORM:
        body = request.body
        try:
            text = body.decode("ascii")  # browsers percent-encode everything else
        except UnicodeDecodeError:
            raise _invalid("raw non-ASCII byte in a urlencoded form") from None
        parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    elif request.content_type == MULTIPART:
        for value in request.POST.values():
            if isinstance(value, str) and "\ufffd" in value:
                raise _invalid("undecodable bytes in a multipart form field")


def includeme(config):
    config.add_subscriber(check_form_encoding, NewRequest)
