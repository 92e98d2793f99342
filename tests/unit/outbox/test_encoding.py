"""The outbox's e-mail encoding makes the very bytes repoze.sendmail's ``encode_message`` makes."""
import email
import email.policy
import email.utils
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyramid_mailer.message import Attachment, Message
from repoze.sendmail.encoding import encode_message

from portal.outbox.encoding import encode, plain

DATE = email.utils.format_datetime(datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc))


def message(subject="Request #7: Assigned", sender="portal@portal.test", recipient="user@example.test",
            body="Hello.\n", **kw):
    return Message(subject=subject, sender=sender, recipients=[recipient], body=body,
                   extra_headers={"Message-ID": "<portal-outbox-7@portal.test>", "Date": DATE,
                                  "Auto-Submitted": "auto-generated"}, **kw)


@pytest.mark.parametrize("made", [
    message(),
    message(subject="Заявка №7 «Счётчик сломан»: назначена", body="Здравствуйте, Ольга.\n"),
    message(subject="Request #7 \u201cMeter is broken\u201d: Assigned"),
    message(sender="Portal <portal@portal.test>"),
    message(sender="Портал энергосбыта <portal@portal.test>"),
    message(sender='"Smith, John" <john@portal.test>', recipient="o'hara+tag@example.test"),
    message(recipient="Ольга <olga@example.test>"),
    message(subject="A long subject " * 12),
    message(subject="Длинная тема письма " * 8),
    message(subject="Two  spaces and a tab\there ", body="From here\r\n.\r\nline\rend"),
    message(recipient="a.very.long.local.part.of.an.address.of.someone@a-long-domain-name.example.test"),
], ids=range(11))
def test_the_same_bytes_as_encode_message(made):
    assert encode(made) == encode_message(made.to_message())


@settings(max_examples=60, deadline=None)
@given(subject=st.text(min_size=1, max_size=120).filter(lambda s: s.strip() and "\r" not in s and "\n" not in s),
       body=st.text(min_size=1, max_size=300))
def test_the_same_bytes_whatever_the_subject_and_body(subject, body):
    made = message(subject=subject, body=body)
    assert encode(made) == encode_message(made.to_message())


def test_a_message_of_several_parts_keeps_them():
    # (encode_message's own work, with MIME boundaries of its choosing: not the same bytes twice)
    made = message(subject="Счёт", html="<p>Hello.</p>", attachments=[Attachment("a.txt", "text/plain", "file")])
    parsed = email.message_from_bytes(encode(made), policy=email.policy.default)
    assert parsed["Subject"] == "Счёт"
    assert parsed.get_body(("html",)).get_content() == "<p>Hello.</p>"
    assert [part.get_filename() for part in parsed.iter_attachments()] == ["a.txt"]


@pytest.mark.parametrize("key, value, left_alone", [
    ("To", "user@example.test", True),
    ("To", "a.b-c+d@example.test", True),
    ("To", "Olga <olga@example.test>", False),
    ("To", "a@example.test, b@example.test", False),
    ("Subject", "Plain", True),
    ("Subject", "Заявка", False),
    ("Subject", "x" * 80, False),
    ("Subject", "Two  spaces", False),
    ("Subject", "trailing ", False),
])
def test_which_headers_need_no_cleanup(key, value, left_alone):
    assert plain(key, value) is left_alone
