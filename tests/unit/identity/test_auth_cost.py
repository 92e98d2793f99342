"""The login service costs nothing to build: only a login attempt pays for argon2, and every
attempt pays the same: one verification, whatever the login and however it fails."""
from datetime import timedelta

import pytest

from portal.db.meta import utcnow
from portal.identity.auth import DatabaseAuthService, LoginPolicy, dummy_hash
from portal.identity.models import LoginFailure
from portal.identity.passwords import Argon2PasswordService
from tests.factories import TEST_PASSWORDS, UserFactory


class CountingPasswords(Argon2PasswordService):
    """Cheap argon2 that counts the hashes and verifications it does."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.hashes = self.verifies = 0

    def hash(self, password):
        self.hashes += 1
        return super().hash(password)

    def verify(self, password_hash, password):
        self.verifies += 1
        return super().verify(password_hash, password)


def policy():
    return LoginPolicy.from_settings({})


def test_building_the_service_hashes_nothing(dbsession):
    # The service is built for every request; a hash there cost ~0.5 s per page.
    passwords = CountingPasswords()
    for _ in range(3):
        DatabaseAuthService(dbsession, passwords, policy())
    assert passwords.hashes == 0


def test_unknown_logins_verify_against_one_dummy_hash_made_once(dbsession):
    passwords = CountingPasswords()
    for attempt in range(3):
        result = DatabaseAuthService(dbsession, passwords, policy()).authenticate("nobody-here", "guess", "192.0.2.1")
        assert result.error == "failed"
    assert passwords.hashes == 1  # the dummy, once
    assert passwords.verifies == 3  # every unknown login still pays one verification
    assert passwords.verify(dummy_hash(passwords), "not-a-real-password")


def test_known_login_still_verifies_its_own_hash(dbsession):
    user = UserFactory(login="known-user", password_hash=TEST_PASSWORDS.hash("Right-password-1"))
    passwords = CountingPasswords()
    result = DatabaseAuthService(dbsession, passwords, policy()).authenticate("known-user", "Right-password-1", "192.0.2.1")
    assert result.user is not None and result.user.id == user.id
    assert passwords.hashes == 0 and passwords.verifies == 1


# --- every failure costs one argon2 verification (no timing oracle) ------------------------------
class CountingHasher:
    """Wraps argon2's hasher and counts the verifications it really runs."""

    def __init__(self, hasher):
        self.hasher = hasher
        self.runs = 0

    def verify(self, password_hash, password):
        self.runs += 1
        return self.hasher.verify(password_hash, password)

    def __getattr__(self, name):
        return getattr(self.hasher, name)


def argon2_runs(dbsession, login, password, ip="192.0.2.77"):
    passwords = Argon2PasswordService(time_cost=1, memory_cost=8, parallelism=1)
    dummy_hash(passwords)  # made once per process, not part of an attempt
    passwords.hasher = counting = CountingHasher(passwords.hasher)
    result = DatabaseAuthService(dbsession, passwords, policy()).authenticate(login, password, ip)
    return result, counting.runs


def _locked_user():
    return UserFactory(login="locked-user", locked_until=utcnow() + timedelta(minutes=10))


def _throttled_address(dbsession):
    dbsession.add_all(LoginFailure(ip="192.0.2.77", login=f"guess{n}", at=utcnow()) for n in range(20))
    dbsession.flush()
    return UserFactory(login="behind-nat")


@pytest.mark.parametrize("case", [
    "unknown", "overlong", "wrong-password", "blocked-right-password", "blocked-wrong-password",
    "locked-right-password", "locked-wrong-password", "no-password-hash", "throttled", "success",
])
def test_every_login_attempt_runs_exactly_one_argon2_verification(dbsession, case):
    right = "Correct-horse-42"
    if case == "unknown":
        login, password = "nobody-here", right
    elif case == "overlong":
        login, password = "x" * 100, right
    elif case == "wrong-password":
        login, password = UserFactory(login="some-user").login, "Wrong-password-1"
    elif case.startswith("blocked"):
        login = UserFactory(login="blocked-user", state="blocked").login
        password = right if case.endswith("right-password") else "Wrong-password-1"
    elif case.startswith("locked"):
        login = _locked_user().login
        password = right if case.endswith("right-password") else "Wrong-password-1"
    elif case == "no-password-hash":
        login, password = UserFactory(login="no-hash", password_hash=None).login, right
    elif case == "throttled":
        login, password = _throttled_address(dbsession).login, right
    else:
        login, password = UserFactory(login="good-user").login, right
    result, runs = argon2_runs(dbsession, login, password)
    assert (result.user is not None) == (case == "success")
    assert runs == 1, f"{case}: {runs} argon2 verifications"
