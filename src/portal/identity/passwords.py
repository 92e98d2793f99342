"""argon2id password hashing and the password strength rule."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zope.interface import implementer

from portal.i18n import _
from portal.identity.interfaces import IPasswordService

MIN_LENGTH = 10


@implementer(IPasswordService)
class Argon2PasswordService:
    """Hashes with argon2id; cost parameters come from settings (tests lower them)."""

    def __init__(self, *, time_cost=3, memory_cost=65536, parallelism=4):
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        if not password_hash:
            return False
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)

    def strength_errors(self, password: str, login: str = "") -> list:
        errors = []
        if len(password) < MIN_LENGTH:
            errors.append(
                _("The password must have at least ${min} characters.", mapping={"min": MIN_LENGTH})
            )
        classes = sum(
            [
                any(c.isalpha() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < 2:
            errors.append(_("The password must mix letters with digits or other characters."))
        if login and login.lower() in password.lower():
            errors.append(_("The password must not contain the login."))
        if len(set(password)) < 4:
            errors.append(_("The password repeats too few different characters."))
        return errors


def password_service_from_settings(settings) -> Argon2PasswordService:
    return Argon2PasswordService(
        time_cost=int(settings.get("portal.argon2.time_cost", 3)),
        memory_cost=int(settings.get("portal.argon2.memory_cost", 65536)),
        parallelism=int(settings.get("portal.argon2.parallelism", 4)),
    )


def includeme(config):
    service = password_service_from_settings(config.get_settings())
    config.register_service(service, IPasswordService)
