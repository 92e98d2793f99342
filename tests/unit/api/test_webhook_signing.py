"""The webhook signature: HMAC-SHA256 over ``<t>.<body>``; a receiver refuses another body, another
secret, a tampered header and an old or future time."""
import hashlib
import hmac

import pytest

from portal.api.webhooks.signing import SECRET_PREFIX, new_secret, signature_header, verify

SECRET = "whsec_" + "ab" * 32
BODY = '{"id":1,"kind":"readings","payload":{"value":"12.5"}}'.encode()
NOW = 1_764_000_000


def test_the_header_is_hmac_sha256_of_time_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature_header(SECRET, NOW, BODY) == f"t={NOW},v1={expected}"
    assert verify(SECRET, signature_header(SECRET, NOW, BODY), BODY, now=NOW + 299)


@pytest.mark.parametrize("header, body, secret, now", [
    (signature_header(SECRET, NOW, BODY), BODY + b" ", SECRET, NOW),                   # another body
    (signature_header(SECRET, NOW, BODY), BODY, SECRET.replace("a", "c"), NOW),        # another secret
    (signature_header(SECRET, NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}"), BODY, SECRET, NOW),
    (signature_header(SECRET, NOW, BODY), BODY, SECRET, NOW + 301),                    # too old
    (signature_header(SECRET, NOW + 400, BODY), BODY, SECRET, NOW),                    # from the future
    ("", BODY, SECRET, NOW), ("t=abc,v1=00", BODY, SECRET, NOW), (f"t={NOW}", BODY, SECRET, NOW),
])
def test_anything_else_is_refused(header, body, secret, now):
    assert not verify(secret, header, body, now=now)


def test_secrets_are_long_random_and_recognisable():
    a, b = new_secret(), new_secret()
    assert a != b and a.startswith(SECRET_PREFIX) and len(a) == len(SECRET_PREFIX) + 64
