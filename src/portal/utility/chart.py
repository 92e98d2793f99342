"""A bar chart as SVG, drawn on the server: readable without JavaScript, printable, nothing fetched.

``bar_chart`` takes the labels and values already in the page's language
(``format_number`` writes the numbers) and returns the markup of one ``<svg>``
element; every text in it is escaped here, so the caller inserts it as it is.
Each bar carries a ``<title>`` (its label, series and value) that browsers
show on hover and screen readers read.
"""
import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Callable, Sequence

# Colours that stay apart in print and for the common colour blindnesses.
PALETTE = ("#1f5fa8", "#d9822b", "#2f9e6b", "#8e5cc4", "#c43c3c")
MAX_X_LABELS = 12
FONT = 'font-family="inherit" font-size="12"'


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (in the legend) and one value per label (None: no bar)."""

    name: str
    values: Sequence[Decimal | None]


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) that divides ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _coordinate(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(labels: Sequence[str], series: Sequence[Series], *, title: str, unit: str,
              format_number: Callable[[Decimal], str], width: int = 720, height: int = 280) -> str:
    """Grouped bars, one group per label and one bar per series, on a y axis from zero."""
    left, right, top, bottom = 72, 16, 16 + (20 if len(series) > 1 else 0), 40
    plot_width, plot_height = width - left - right, height - top - bottom
    values = [float(v) for s in series for v in s.values if v is not None]
    highest = max([v for v in values if v > 0], default=0.0)
    step = nice_step(highest)
    ceiling = step * max(1, math.ceil(highest / step)) if highest else step * 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{_attr(title)}" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    # The y axis: grid lines and their values.
    for index in range(round(ceiling / step) + 1):
        tick = index * step
        y = top + plot_height - tick / ceiling * plot_height
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_coordinate(y)}" y2="{_coordinate(y)}" '
                     f'stroke="#d0d5dd" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{_coordinate(y + 4)}" text-anchor="end" fill="#444">'
                     f"{escape(format_number(Decimal(str(round(tick, 6))).normalize()))}</text>")
    parts.append(f'<text x="4" y="{top - 4 if top > 16 else 12}" fill="#444">{escape(unit)}</text>')
    # The bars, and every n-th label under them so that they never overlap.
    count = max(1, len(labels))
    group = plot_width / count
    bar = group * 0.8 / max(1, len(series))
    every = max(1, math.ceil(count / MAX_X_LABELS))
    for index, label in enumerate(labels):
        x0 = left + index * group + group * 0.1
        for number, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else None
            if value is None:
                continue
            bar_height = max(0.0, float(value)) / ceiling * plot_height
            x = x0 + number * bar
            y = top + plot_height - bar_height
            tip = f"{label} — {s.name}: {format_number(value)} {unit}" if s.name else \
                f"{label}: {format_number(value)} {unit}"
            parts.append(
                f'<rect x="{_coordinate(x)}" y="{_coordinate(y)}" width="{_coordinate(max(bar - 1, 1))}" '
                f'height="{_coordinate(bar_height)}" fill="{PALETTE[number % len(PALETTE)]}">'
                f"<title>{escape(tip)}</title></rect>")
        if index % every == 0:
            parts.append(f'<text x="{_coordinate(left + index * group + group / 2)}" y="{height - bottom + 16}" '
                         f'text-anchor="middle" fill="#444">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height}" y2="{top + plot_height}" '
                 f'stroke="#667085" stroke-width="1"/>')
    # The legend, when there is more than one series.
    if len(series) > 1:
        x = left
        for number, s in enumerate(series):
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[number % len(PALETTE)]}"/>')
            parts.append(f'<text x="{x + 16}" y="14" fill="#222">{escape(s.name)}</text>')
            x += 24 + 8 * len(s.name)
    parts.append("</svg>")
    return "".join(parts)
