"""An e-mail as the bytes that go to the SMTP server: what repoze.sendmail's ``encode_message`` makes of a
pyramid_mailer ``Message``, byte for byte, in under half its time (tests/unit/outbox/test_encoding.py).

``encode_message`` runs every header through ``email.header`` (the names in address headers, the
parameters of the content headers, every value as a whole), then ``as_string()`` runs every header
through it again to write it: together more than half the cost of building an e-mail. A header of
printable ASCII words, short enough for one line (and in an address header a bare address), comes out
of both unchanged, so it is written as it is; every other header goes through the same cleanup and the
same policy, one at a time. A message of several parts, or of a body without a charset, goes through
``encode_message`` whole.
"""
import email.message
import email.policy
import re

from pyramid_mailer.message import Message
from repoze.sendmail.encoding import ADDR_HEADERS, cleanup_message, encode_message

LINE = 78  # the longest header line email.header leaves unfolded
WORDS = re.compile(r"[!-~]+( [!-~]+)*")  # printable ASCII words, one space apart: nothing to fold or encode
SPECIALS = set('<>()[]:;\\,"')  # in an address header, anything beyond a bare address (a name, a list)
# What Message.as_string() writes headers with (compat32, no folding: the cleanup has folded them).
AS_STRING = email.policy.compat32.clone(max_line_length=0)
NEWLINES = re.compile(r"\r\n|\r|\n")


def plain(key: str, value: str) -> bool:
    """Whether the cleanup, and writing the header out, leave this header as it is."""
    if len(key) + 2 + len(value) > LINE or not WORDS.fullmatch(value):
        return False
    if key.lower() in ADDR_HEADERS:
        return value.count("@") == 1 and " " not in value and not SPECIALS & set(value)
    return True


def encode(message: Message) -> bytes:
    """``message`` as bytes, the same as ``encode_message(message.to_message())``.

    A single part with a charset is written out here as ``as_string()`` would write it: each header
    line (a plain one as it is, any other cleaned up and written by the same policy), an empty line,
    the body with its line ends made ``\\n``.
    """
    mime = message.to_message()
    if mime.is_multipart() or mime.get_charset() is None or not isinstance(mime.get_payload(), str):
        return encode_message(mime)
    lines = []
    for key, value in mime.items():
        if plain(key, value):
            lines.append(f"{key}: {value}\n")
        else:
            one = email.message.Message()
            one[key] = value
            cleanup_message(one)
            lines.append(AS_STRING.fold(key, one[key]))
    lines.append("\n")
    lines.append(NEWLINES.sub("\n", mime.get_payload()))
    return "".join(lines).encode("ascii")
