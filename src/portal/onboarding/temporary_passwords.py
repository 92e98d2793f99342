"""Temporary passwords: staff give one by phone or on paper; the next login with it asks for a new
password before the login session starts (identity/login_steps.py)."""
import secrets

from portal.identity.models import User
from portal.onboarding.password_reset import set_password

# No 0/O, 1/l/I: read aloud or copied from paper without mistakes.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 3, 4  # 12 characters of 32: 60 random bits


def temporary_password() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))


def issue_temporary_password(passwords, auth, user: User) -> str:
    """A new temporary password for ``user`` (shown once to the staff who asked): it replaces the
    password, unlocks the login and ends its sessions; the next login must change it."""
    password = temporary_password()
    set_password(passwords, auth, user, password)
    user.must_change_password = True
    return password
