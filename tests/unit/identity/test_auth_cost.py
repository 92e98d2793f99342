"""The login service costs nothing to build: only a login attempt pays for argon2."""
from portal.identity.auth import DatabaseAuthService, LoginPolicy, dummy_hash
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
