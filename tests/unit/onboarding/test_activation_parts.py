"""The two parts of an activation code: unambiguous characters, grouped to be typed, read back however
they are typed, and neither part alone the secret."""
from portal.onboarding.activation import ALPHABET, PART_LENGTH, grouped, new_part, secret, typed_part


def test_parts_are_random_unambiguous_and_read_back_as_typed():
    parts = {new_part() for _ in range(50)}
    assert len(parts) == 50
    assert all(len(p) == PART_LENGTH and set(p) <= set(ALPHABET) for p in parts)
    assert not set("01IO") & set(ALPHABET)
    part = "ABCDEFGHJKLM"
    assert grouped(part) == "ABCD-EFGH-JKLM"
    assert typed_part(" abcd-efgh jklm ") == part
    assert secret("abcd efgh jklm", "NPQR-STUV-WXYZ") == "ABCDEFGHJKLM:NPQRSTUVWXYZ"
    assert secret(part, "") != secret("", part)
