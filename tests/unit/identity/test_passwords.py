"""argon2id hashing and the strength rule."""
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.identity.passwords import MIN_LENGTH, Argon2PasswordService

service = Argon2PasswordService(time_cost=1, memory_cost=8, parallelism=1)


def test_hash_is_argon2id_and_verifies():
    hashed = service.hash("Some-password-1")
    assert hashed.startswith("$argon2id$")
    assert service.verify(hashed, "Some-password-1")
    assert not service.verify(hashed, "Some-password-2")


def test_verify_tolerates_missing_or_garbage_hashes():
    assert not service.verify(None, "x")
    assert not service.verify("", "x")
    assert not service.verify("not-a-hash", "x")


def test_weaker_parameters_need_rehash():
    strong = Argon2PasswordService(time_cost=2, memory_cost=16, parallelism=1)
    assert strong.needs_rehash(service.hash("Some-password-1"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_short_passwords_or_ones_holding_the_login_are_always_refused(password):
    errors = service.strength_errors(password, "ivanov")
    if len(password) < MIN_LENGTH or "ivanov" in password.lower():
        assert errors
    if len({c.isalpha() for c in password} | {c.isdigit() for c in password}) == 1 and password.isalpha():
        assert errors  # letters alone never pass


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=MIN_LENGTH, max_size=40))
def test_refusals_are_translatable_messages(password):
    for error in service.strength_errors(password, "ivanov"):
        assert error.domain == "portal"


@given(st.text(alphabet=string.ascii_letters, min_size=4, max_size=6),
       st.text(alphabet=string.digits, min_size=6, max_size=8))
def test_letters_and_digits_of_sufficient_length_pass(letters, digits):
    password = letters + digits
    if len(set(password)) >= 4:
        assert service.strength_errors(password, "someone-else") == []
