"""The server-drawn SVG bar chart: well-formed, escaped, a bar per value, round axis steps."""
import math
import xml.etree.ElementTree as ET
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.utility.chart import Series, bar_chart, nice_step

SVG = "{http://www.w3.org/2000/svg}"


def draw(labels, series, **kw):
    return bar_chart(labels, series, title=kw.pop("title", "Consumption"), unit=kw.pop("unit", "kWh"),
                     format_number=lambda v: format(v, "f"), **kw)


def test_every_text_is_escaped_and_the_svg_is_well_formed():
    hostile = '<script>alert(1)</script> & "x"'
    svg = draw([hostile, "Feb"], [Series(hostile, [Decimal(1), Decimal(2)]), Series("Night", [None, Decimal(3)])],
               title=hostile, unit=hostile)
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # parses: no stray markup
    assert root.tag == SVG + "svg" and root.get("aria-label") == hostile
    texts = [t.text for t in root.iter(SVG + "text")]
    assert hostile in texts  # the label, the legend and the unit, as text
    tips = [t.text for t in root.iter(SVG + "title")]
    assert f"{hostile} — {hostile}: 1 {hostile}" in tips


@given(st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)), min_size=1, max_size=40))
def test_a_bar_per_value_and_none_beyond_the_plot(values):
    labels = [f"M{i}" for i in range(len(values))]
    root = ET.fromstring(draw(labels, [Series("Day", values)]))
    bars = [r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]
    assert len(bars) == sum(v is not None for v in values)
    for bar in bars:
        assert 16 - 0.1 <= float(bar.get("y")) <= 240.1 and float(bar.get("height")) <= 224.1
    shown = [t.text for t in root.iter(SVG + "text") if t.text in labels]
    assert len(shown) <= 12 and shown[0] == "M0"


@given(st.floats(min_value=1e-6, max_value=1e12))
def test_steps_are_round_and_make_about_four_ticks(span):
    step = nice_step(span)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 5, 10)
    assert 1 <= span / step <= 10
