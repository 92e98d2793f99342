"""The entities' shared nodes: exact decimals at their edges, base64 files, lists compared in a fixed
order, and a stored file that equals the bytes of the same file without reading it."""
import base64
from decimal import Decimal

import colander
import pytest

from portal.api.files import StoredFile, sha256
from portal.api.nodes import Day, decimal_node, file_node, optional_flag, sorted_by, unique_in_list


@pytest.mark.parametrize("value, expected", [
    ("12.34", Decimal("12.34")), (12, Decimal(12)), (Decimal("99999999999999.99"), Decimal("99999999999999.99")),
    ("1.2300", Decimal("1.23")), ("-0.01", Decimal("-0.01")), ("0", Decimal(0)),
])
def test_an_exact_decimal_keeps_what_its_column_keeps(value, expected):
    assert decimal_node(16, 2, name="amount").deserialize(value) == expected


@pytest.mark.parametrize("value, message", [
    ("1.001", "At most ${places} digits after the decimal point."),
    ("100000000000000", "The number is too large."),
    ("NaN", "Write a number."), ("Infinity", "Write a number."),
    ("abc", '"${val}" is not a number'),
])
def test_an_exact_decimal_refuses_what_its_column_would_change(value, message):
    with pytest.raises(colander.Invalid) as refused:
        decimal_node(16, 2, name="amount").deserialize(value)
    assert str(refused.value.msg) == message


def test_positive_and_range_bounds():
    with pytest.raises(colander.Invalid):
        decimal_node(16, 2, positive=True, name="amount").deserialize("0")
    rate = decimal_node(5, 2, minimum=0, maximum=100, name="rate")
    assert rate.deserialize("100") == 100
    for wrong in ("100.01", "-1"):
        with pytest.raises(colander.Invalid):
            rate.deserialize(wrong)


def test_a_file_is_base64_and_nothing_else():
    node = file_node(name="content")
    assert node.deserialize(base64.b64encode(b"%PDF-1.4").decode()) == b"%PDF-1.4"
    for wrong in ("not base64!", "QQ", 42):
        with pytest.raises(colander.Invalid):
            node.deserialize(wrong)


def test_a_stored_file_equals_the_same_bytes_without_reading_them(tmp_path):
    missing = StoredFile(sha256(b"one"), str(tmp_path / "nowhere"))
    assert missing == b"one" and missing != b"two" and missing != "one"
    assert missing.__json__(None) is None
    path = tmp_path / "kept"
    path.write_bytes(b"two")
    assert StoredFile(sha256(b"two"), str(path)).__json__(None) == base64.b64encode(b"two").decode()


def test_lists_come_in_a_fixed_order_and_keys_once():
    prepare = sorted_by("invoice")
    assert prepare([{"invoice": "b"}, {"invoice": "a"}]) == [{"invoice": "a"}, {"invoice": "b"}]
    assert prepare(colander.null) is colander.null
    validate = unique_in_list("invoice", "twice", max_items=2)
    validate(None, [{"invoice": "a"}, {"invoice": "b"}])
    node = colander.SchemaNode(colander.Sequence(), colander.SchemaNode(colander.Mapping()), name="list")
    for items in ([{"invoice": "a"}, {"invoice": "a"}], [{"invoice": n} for n in "abc"]):
        with pytest.raises(colander.Invalid):
            validate(node, items)


def test_a_flag_is_true_or_false_and_nothing_else():
    flag = optional_flag(name="cancelled")
    assert (flag.deserialize(True), flag.deserialize(False), flag.deserialize("false")) == (True, False, False)
    with pytest.raises(colander.Invalid):
        flag.deserialize("maybe")


@pytest.mark.parametrize("value", ["2026-11-30", "2024-02-29", "2026-02-30", "2026-11-30T10:00:00+03:00", "20261130",
                                   "2026-1-5", "", "30.11.2026", "２０２６-１１-３０", 20261130])
def test_a_day_reads_what_colanders_date_reads(value):
    def read(typ):
        try:
            return colander.SchemaNode(typ, name="day").deserialize(value)
        except colander.Invalid as refused:
            return refused.asdict()
    assert read(Day()) == read(colander.Date())
