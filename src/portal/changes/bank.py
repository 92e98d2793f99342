"""Bank details a customer may enter: the rules a Russian or a Czech utility's accounting accepts.

- **BIC**: a Russian bank's BIK, 9 digits (044525225), or a SWIFT code (ISO 9362:
  4 letters of the bank, 2 of its country, 2 letters or digits of the place,
  optionally 3 of the branch: 8 or 11 characters, GIBACZPX).
- **Account number**: 20 digits, a Russian bank account (40702810…), or an IBAN
  (ISO 13616: country, 2 check digits, the domestic number; 15 to 34 letters and
  digits, its mod-97 check must hold). A Czech account is entered as its IBAN
  (CZ and 22 digits, on every statement): the domestic form
  ``prefix-number/bank code`` would name the bank a second time, beside the BIC.
- **Both together**: a BIK is a Russian bank, so its account has 20 digits, and
  for a commercial bank (a BIK of the Bank of Russia's 04 range whose last three
  digits are 050 to 999) the account's control digit must match the BIK: the
  Bank of Russia's key (those three digits, then the account, weighted 7-1-3,
  sum of the last digits divisible by 10) catches any mistyped digit of either.
  Accounts held with the Bank of Russia or the Treasury are not keyed this way
  and are taken as 20 digits. A SWIFT code and an IBAN must be of one country.

Spaces only group the characters; every value is kept compact and in capitals.
"""
import re
import string

from portal.i18n import _

BIK = re.compile(r"^[0-9]{9}$")
SWIFT = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
RUSSIAN_ACCOUNT = re.compile(r"^[0-9]{20}$")
IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
KEY_WEIGHTS = (7, 1, 3) * 8  # the 3 digits of the BIK and the 20 of the account
CAPITALS = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
COMMERCIAL_BANK = re.compile(r"^04[0-9]{4}(0[5-9][0-9]|[1-9][0-9]{2})$")

BIC_FORMAT = _("Enter the BIC: 9 digits for a Russian bank (BIK, such as 044525225) or the bank's SWIFT code "
               "of 8 or 11 letters and digits (such as GIBACZPX).")
ACCOUNT_FORMAT = _("Enter the account number: 20 digits for an account with a Russian bank, or the IBAN "
                   "(such as CZ65 0800 0000 1920 0014 5399).")
IBAN_CHECK = _("The check digits of the IBAN do not match: look for a mistyped character.")
BIK_NEEDS_RUSSIAN_ACCOUNT = _("A BIK names a Russian bank: enter the 20 digits of the account there.")
KEY_MISMATCH = _("The account number does not match the BIK: one of them has a mistyped digit.")


def compact(value: str) -> str:
    """``value`` without its grouping spaces, its Latin letters in capitals (as stored and compared).

    Only a-z are raised: ``str.upper`` would turn a Turkish dotless ı into I
    and let a look-alike pass.
    """
    return "".join(value.split()).translate(CAPITALS)


def bic_problem(value: str):
    """Why ``value`` is no BIK or SWIFT code (a translatable message), or None."""
    value = compact(value)
    return None if BIK.match(value) or SWIFT.match(value) else BIC_FORMAT


def iban_valid(value: str) -> bool:
    """Whether compact ``value`` passes the IBAN's mod-97 check (country and check digits moved last)."""
    moved = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def account_problem(value: str):
    """Why ``value`` is neither a 20-digit Russian account nor a valid IBAN, or None."""
    value = compact(value)
    if RUSSIAN_ACCOUNT.match(value):
        return None
    if not IBAN.match(value):
        return ACCOUNT_FORMAT
    return None if iban_valid(value) else IBAN_CHECK


def control_key_matches(bik: str, account: str) -> bool:
    """The Bank of Russia's key: the BIK's last three digits and the account, weighted 7-1-3."""
    digits = bik[-3:] + account
    return sum(int(d) * w % 10 for d, w in zip(digits, KEY_WEIGHTS)) % 10 == 0


def pair_problem(bic: str, account: str):
    """Why a valid BIC and a valid account number cannot belong together (a message), or None."""
    bic, account = compact(bic), compact(account)
    if BIK.match(bic):
        if not RUSSIAN_ACCOUNT.match(account):
            return BIK_NEEDS_RUSSIAN_ACCOUNT
        if COMMERCIAL_BANK.match(bic) and not control_key_matches(bic, account):
            return KEY_MISMATCH
        return None
    if IBAN.match(account) and account[:2] != bic[4:6]:
        return _("The IBAN is of an account in ${iban} but the SWIFT code of a bank in ${swift}: check both.",
                 mapping={"iban": account[:2], "swift": bic[4:6]})
    return None


def with_control_key(bik: str, account: str) -> str:
    """``account`` (20 digits) with its control digit (the 9th) set to match ``bik``: for demo data and tests."""
    for digit in "0123456789":
        candidate = account[:8] + digit + account[9:]
        if control_key_matches(bik, candidate):
            return candidate
    raise ValueError("no control digit fits")  # cannot happen: weight 3 takes every residue
