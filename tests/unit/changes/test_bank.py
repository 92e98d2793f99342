"""The bank details rules (changes/bank.py): what they take, what they refuse, and that a mistyped
character of an account is caught, whatever the digits."""
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.changes.bank import (
    ACCOUNT_FORMAT,
    BIC_FORMAT,
    BIK_NEEDS_RUSSIAN_ACCOUNT,
    IBAN_CHECK,
    KEY_MISMATCH,
    account_problem,
    bic_problem,
    compact,
    control_key_matches,
    pair_problem,
    with_control_key,
)
from portal.scripts.demo import PARTY_DETAILS


def digit_string(n):
    return st.text(string.digits, min_size=n, max_size=n)


# A commercial bank's BIK: 04, region and division, then 050 to 999.
commercial_biks = st.tuples(digit_string(4), st.integers(50, 999)).map(lambda t: f"04{t[0]}{t[1]:03d}")
accounts = digit_string(20)
swift_codes = st.tuples(
    st.text(string.ascii_uppercase, min_size=6, max_size=6), st.text(string.ascii_uppercase + string.digits,
                                                                      min_size=2, max_size=2),
    st.one_of(st.just(""), st.text(string.ascii_uppercase + string.digits, min_size=3, max_size=3)),
).map("".join)


def iban(country, bban):
    """An IBAN with the check digits that make it valid."""
    moved = bban + country + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in moved)) % 97
    return f"{country}{check:02d}{bban}"


ibans = st.tuples(
    st.text(string.ascii_uppercase, min_size=2, max_size=2),
    st.text(string.ascii_uppercase + string.digits, min_size=11, max_size=30),
).map(lambda t: iban(*t))


def spaced(value):
    """``value`` split into groups of four, as statements print it."""
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


@given(digit_string(9))
def test_every_nine_digits_are_a_bik(bik):
    assert bic_problem(bik) is None and bic_problem(spaced(bik)) is None


@given(swift_codes)
def test_every_swift_code_of_8_or_11_characters_is_taken_in_any_case(code):
    assert bic_problem(code) is None and bic_problem(code.lower()) is None


@given(st.text(min_size=0, max_size=14))
def test_a_bic_is_taken_only_in_one_of_the_two_forms(value):
    code = compact(value)
    bik = len(code) == 9 and code.isascii() and code.isdigit()
    swift = (len(code) in (8, 11) and code.isascii() and code.isalnum() and code[:6].isalpha())
    assert (bic_problem(value) is None) == (bik or swift)
    if bic_problem(value) is not None:
        assert bic_problem(value) == BIC_FORMAT


@given(accounts)
def test_every_twenty_digits_are_an_account_number(account):
    assert account_problem(account) is None and account_problem(spaced(account)) is None


@given(ibans)
def test_every_iban_with_right_check_digits_is_taken(value):
    assert account_problem(value) is None and account_problem(spaced(value).lower()) is None


@given(ibans, st.data())
def test_one_mistyped_character_of_an_iban_is_caught(value, data):
    position = data.draw(st.integers(4, len(value) - 1))  # past the country and the check digits
    pool = string.digits if value[position].isdigit() else string.ascii_uppercase
    typo = data.draw(st.sampled_from([c for c in pool if c != value[position]]))
    assert account_problem(value[:position] + typo + value[position + 1:]) == IBAN_CHECK


@given(st.text(string.digits, min_size=1, max_size=34).filter(lambda v: len(v) != 20))
def test_digits_other_than_twenty_are_no_account(value):
    assert account_problem(value) == ACCOUNT_FORMAT


@given(st.text(min_size=1, max_size=40).filter(lambda v: any(not (c.isascii() and c.isalnum()) and not c.isspace()
                                                                for c in v)))
def test_anything_but_letters_digits_and_spaces_is_refused(value):
    assert account_problem(value) == ACCOUNT_FORMAT
    assert bic_problem(value) == BIC_FORMAT


@given(commercial_biks, accounts)
def test_an_account_keyed_to_its_bik_is_taken_beside_it(bik, account):
    keyed = with_control_key(bik, account)
    assert control_key_matches(bik, keyed) and pair_problem(bik, keyed) is None


@given(commercial_biks, accounts, st.integers(0, 19), st.integers(1, 9))
def test_one_mistyped_digit_of_the_account_is_caught_beside_its_bik(bik, account, position, shift):
    keyed = with_control_key(bik, account)
    typo = keyed[:position] + str((int(keyed[position]) + shift) % 10) + keyed[position + 1:]
    assert pair_problem(bik, typo) == KEY_MISMATCH


@given(st.sampled_from(["000", "001", "002"]), digit_string(4), accounts)
def test_accounts_with_the_bank_of_russia_or_the_treasury_are_not_keyed(tail, middle, account):
    assert pair_problem(f"04{middle}{tail}", account) is None
    assert pair_problem(f"00{middle}{tail}", account) is None


@given(digit_string(9), ibans)
def test_a_bik_wants_a_russian_account_not_an_iban(bik, value):
    assert pair_problem(bik, value) == BIK_NEEDS_RUSSIAN_ACCOUNT


@given(swift_codes, ibans)
def test_a_swift_code_and_an_iban_must_be_of_one_country(code, value):
    problem = pair_problem(code, value)
    if code[4:6] == value[:2]:
        assert problem is None
    else:
        assert problem is not None and problem.mapping == {"iban": value[:2], "swift": code[4:6]}


@given(swift_codes, accounts)
def test_a_swift_code_takes_a_twenty_digit_account_unkeyed(code, account):
    assert pair_problem(code, account) is None


@pytest.mark.parametrize("value,expected", [
    ("CZ65 0800 0000 1920 0014 5399", None),  # the Czech National Bank's example
    ("GB82 WEST 1234 5698 7654 32", None),
    ("CZ65 0800 0000 1920 0014 5398", IBAN_CHECK),
    ("19-2000145399/0800", ACCOUNT_FORMAT),  # the Czech domestic form: its IBAN is asked for
])
def test_known_ibans(value, expected):
    assert account_problem(value) == expected


def test_known_russian_pairs():
    # Sberbank's and Alfa-Bank's own correspondent accounts are keyed with 0 and the BIK's 5th and 6th digits,
    # a customer's account with the BIK's last three: the same weights.
    assert control_key_matches("000000025", "30101810400000000225")  # Sberbank, 044525225
    assert pair_problem("044525225", "40702810200000000001") is None
    assert pair_problem("044525225", "40702810300000000001") == KEY_MISMATCH


@pytest.mark.parametrize("external_id", sorted(PARTY_DETAILS))
def test_the_demo_parties_bank_details_pass_the_rules(external_id):
    details = PARTY_DETAILS[external_id]
    assert bic_problem(details["bank_bic"]) is None and account_problem(details["bank_account"]) is None
    assert pair_problem(details["bank_bic"], details["bank_account"]) is None
    assert details["bank_name"]
