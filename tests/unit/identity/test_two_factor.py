"""Two-factor on a frozen clock: codes of the current step and one either side, each taken once;
recovery codes die on use; the secret's QR code is drawn here."""
from datetime import datetime, timedelta, timezone

import pyotp
from sqlalchemy import func, select

from portal.identity import two_factor
from portal.identity.models import RecoveryCode
from tests.factories import UserFactory, UserRoleFactory

NOON = datetime(2026, 12, 2, 12, 0, 15, tzinfo=timezone.utc)
STEP = timedelta(seconds=30)


def code_at(user, moment):
    return pyotp.TOTP(user.totp_secret).at(moment)


def enabled_user(dbsession):
    user = UserFactory()
    two_factor.begin_setup(user)
    codes = two_factor.confirm_setup(dbsession, user, code_at(user, NOON), NOON)
    return user, codes


def test_setting_up_takes_a_code_of_the_new_secret_then_two_factor_is_on(dbsession):
    user = UserFactory()
    assert not two_factor.is_enabled(user)
    two_factor.begin_setup(user)
    assert two_factor.is_being_set_up(user) and len(user.totp_secret) == 32
    assert two_factor.confirm_setup(dbsession, user, "000000" if code_at(user, NOON) != "000000" else "111111",
                                    NOON) is None
    assert not two_factor.is_enabled(user)
    codes = two_factor.confirm_setup(dbsession, user, code_at(user, NOON), NOON)
    assert two_factor.is_enabled(user) and user.totp_enabled_at == NOON
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    stored = dbsession.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashes only


def test_a_code_is_good_one_step_either_side_of_the_clock_and_no_further(dbsession):
    user, _codes = enabled_user(dbsession)
    later = NOON + 10 * STEP
    assert two_factor.verify(dbsession, user, code_at(user, later - 2 * STEP), later) is None
    assert two_factor.verify(dbsession, user, code_at(user, later + 2 * STEP), later) is None
    assert two_factor.verify(dbsession, user, code_at(user, later - STEP), later) == "totp"
    assert two_factor.verify(dbsession, user, code_at(user, later + STEP), later) == "totp"


def test_a_code_is_taken_once_and_never_an_older_one_after_it(dbsession):
    user, _codes = enabled_user(dbsession)
    later = NOON + 4 * STEP
    code = code_at(user, later)
    assert two_factor.verify(dbsession, user, code, later) == "totp"
    assert two_factor.verify(dbsession, user, code, later) is None  # replayed
    assert two_factor.verify(dbsession, user, code_at(user, later - STEP), later) is None  # older step
    assert two_factor.verify(dbsession, user, code_at(user, later + STEP), later + STEP) == "totp"
    assert two_factor.verify(dbsession, user, code_at(user, NOON), NOON) is None  # the setup's own code


def test_spaces_are_ignored_and_anything_else_is_refused(dbsession):
    user, _codes = enabled_user(dbsession)
    later = NOON + 2 * STEP
    code = code_at(user, later)
    for junk in ("", "12345", "1234567", "abcdef", None, "x" * 10_000, code + "0"):
        assert two_factor.verify(dbsession, user, junk, later) is None, junk
    assert two_factor.verify(dbsession, user, f" {code[:3]} {code[3:]} ", later) == "totp"


def test_a_recovery_code_works_once_in_any_spelling(dbsession):
    user, codes = enabled_user(dbsession)
    assert two_factor.recovery_codes_left(dbsession, user) == 10
    assert two_factor.verify(dbsession, user, codes[0].upper().replace("-", " "), NOON) == "recovery"
    assert two_factor.verify(dbsession, user, codes[0], NOON) is None
    assert two_factor.recovery_codes_left(dbsession, user) == 9
    other, other_codes = enabled_user(dbsession)
    assert two_factor.verify(dbsession, user, other_codes[0], NOON) is None  # another user's code
    assert two_factor.verify(dbsession, other, other_codes[0], NOON) == "recovery"


def test_new_recovery_codes_replace_the_old_ones(dbsession):
    user, codes = enabled_user(dbsession)
    fresh = two_factor.new_recovery_codes(dbsession, user, NOON)
    assert not set(fresh) & set(codes)
    assert two_factor.verify(dbsession, user, codes[1], NOON) is None
    assert two_factor.verify(dbsession, user, fresh[1], NOON) == "recovery"


def test_turning_off_forgets_the_secret_and_the_codes(dbsession):
    user, codes = enabled_user(dbsession)
    two_factor.turn_off(dbsession, user)
    assert not two_factor.is_enabled(user) and user.totp_secret is None
    assert dbsession.scalar(select(func.count()).select_from(RecoveryCode)
                            .where(RecoveryCode.user_id == user.id)) == 0
    assert two_factor.verify(dbsession, user, codes[0], NOON) is None


def test_staff_must_have_it_only_when_the_setting_says_so(dbsession):
    customer, clerk = UserFactory(), UserFactory()
    UserRoleFactory(user=clerk, role="backoffice")
    dbsession.refresh(clerk)
    on = {two_factor.STAFF_REQUIRED_SETTING: "true"}
    assert two_factor.is_required(clerk, on) and not two_factor.is_required(customer, on)
    assert not two_factor.is_required(clerk, {}) and not two_factor.is_required(clerk, {
        two_factor.STAFF_REQUIRED_SETTING: "false"})


def test_the_qr_code_and_the_key_name_the_company_and_the_login(dbsession):
    user = UserFactory(login="olga")
    two_factor.begin_setup(user)
    uri = two_factor.provisioning_uri(user, {"portal.company.name": "Sever Energy"})
    assert uri.startswith("otpauth://totp/Sever%20Energy:olga?") and f"secret={user.totp_secret}" in uri
    assert "issuer=Sever%20Energy" in uri
    assert "issuer=Portal" in two_factor.provisioning_uri(user, {})
    svg = two_factor.qr_svg(uri)
    assert svg.startswith("<svg") and "<path" in svg and user.totp_secret not in svg
    assert two_factor.grouped_secret(user).replace(" ", "") == user.totp_secret
