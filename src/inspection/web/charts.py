"""Charts of the leaders' dashboard as SVG drawn on the server: no script, readable printed.

Every chart names itself (``<title>``, ``<desc>``, ``role="img"``), writes each number
beside its bar, column or point, and tells its series apart by pattern and marker shape,
not by colour alone, so a black-and-white printout reads the same. All text is escaped.
The numbers are formatted by the caller's ``number`` function (e.g. a Vietnamese decimal
comma); the default writes them plainly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

Formatter = Callable[[float], str]

FONT = "font-family=\"system-ui, 'Segoe UI', Roboto, Arial, sans-serif\""
INK = "#1f2933"
# Fill patterns in the order series use them: solid, diagonal hatching, dots.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("solid", '<rect width="6" height="6" fill="{ink}"/>'),
    (
        "hatch",
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{ink}" stroke-width="1.6"/>',
    ),
    ("dots", '<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" fill="{ink}"/>'),
)
CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
COLOURS = ("#1d4e89", "#b35900", "#2e7d32")


def plain_number(value: float) -> str:
    """``12``, ``66.67``: whole numbers without decimals, others with at most two."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart; ``value`` None is drawn as "no data"."""

    label: str
    value: float | None


@dataclass(frozen=True)
class Series:
    """One measure over the chart's categories, drawn as columns or as a line."""

    name: str
    values: Sequence[float | None]
    kind: Literal["columns", "line"] = "columns"


def _svg(chart_id: str, width: float, height: float, title: str, description: str, body: list[str]) -> Markup:
    if not CHART_ID.fullmatch(chart_id):
        raise ValueError(f"a chart id is letters, digits, - and _, starting with a letter: {chart_id!r}")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} font-size="13" fill="{INK}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    # Safe: every text in the pieces went through escape(); the rest is numbers and constants.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _patterns(chart_id: str, count: int) -> str:
    defs = []
    for index in range(count):
        name, shape = PATTERNS[index % len(PATTERNS)]
        colour = COLOURS[index % len(COLOURS)]
        defs.append(
            f'<pattern id="{chart_id}-{name}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f"{shape.format(ink=colour)}</pattern>"
        )
    return "<defs>" + "".join(defs) + "</defs>"


def _fill(chart_id: str, index: int) -> str:
    pattern, colour = PATTERNS[index % len(PATTERNS)][0], COLOURS[index % len(COLOURS)]
    return f'fill="url(#{chart_id}-{pattern})" stroke="{colour}"'


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    maximum: float | None = None,
    suffix: str = "",
    no_data: str = "—",
    number: Formatter = plain_number,
    width: int = 640,
    label_width: int = 220,
) -> Markup:
    """Horizontal bars, one per labelled value (e.g. on-time rate per unit, weakest items).

    ``maximum`` fixes the full length (100 for percentages); else the largest value sets it.
    ``chart_id`` must be unique on the page: it prefixes the ids of the title and patterns.
    """
    row, top = 26, 8
    values = [bar.value for bar in bars if bar.value is not None]
    full = maximum if maximum is not None else _nice_ceiling(max(values, default=0.0))
    room = width - label_width - 70
    body = [_patterns(chart_id, 1)]
    for index, bar in enumerate(bars):
        y = top + index * row
        body.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(bar.label)}</text>')
        if bar.value is None:
            body.append(f'<text x="{label_width}" y="{y + 15}" font-style="italic">{escape(no_data)}</text>')
            continue
        length = max(0.0, min(bar.value, full)) / full * room if full else 0.0
        body.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
            f'{_fill(chart_id, 0)} stroke-width="1"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}" font-weight="600">'
            f"{escape(number(bar.value) + suffix)}</text>"
        )
    body.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{top + row * len(bars)}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    return _svg(chart_id, width, top * 2 + row * max(len(bars), 1), title, description, body)


def trend_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    number: Formatter = plain_number,
    height: int = 300,
) -> Markup:
    """Grouped columns and lines over categories (e.g. actions opened and closed per month,
    open at month end), on one axis from zero, with a legend and every value written."""
    columns = [s for s in series if s.kind == "columns"]
    lines = [s for s in series if s.kind == "line"]
    left, bottom, top, legend_row = 44, 40, 16, 22
    column_width = 16
    # Wide enough for its columns and for its label (about 6.5 px a character at 11 px).
    longest = max((len(category) for category in categories), default=0)
    group = max(column_width * max(len(columns), 1) + 14, math.ceil(6.5 * longest) + 8)
    width = left + group * max(len(categories), 1) + 16
    values = [v for s in series for v in s.values if v is not None]
    full = _nice_ceiling(max(values, default=0.0))
    legend_height = legend_row * len(series)
    plot = height - top - bottom - legend_height
    base = top + plot

    def y_of(value: float) -> float:
        return base - value / full * plot

    body = [_patterns(chart_id, len(columns))]
    for tick in (0.0, full / 2, full):
        body.append(
            f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{width - 8}" y2="{y_of(tick):.1f}" '
            f'stroke="#9aa5b1" stroke-width="0.6"/>'
            f'<text x="{left - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(number(tick))}</text>"
        )
    for index, category in enumerate(categories):
        x = left + index * group + (group - column_width * len(columns)) / 2
        for number_in_group, column in enumerate(columns):
            value = column.values[index] if index < len(column.values) else None
            if value is None:
                continue
            cx = x + number_in_group * column_width
            body.append(
                f'<rect x="{cx:.1f}" y="{y_of(value):.1f}" width="{column_width - 2}" '
                f'height="{base - y_of(value):.1f}" {_fill(chart_id, number_in_group)} stroke-width="1"/>'
                f'<text x="{cx + column_width / 2 - 1:.1f}" y="{y_of(value) - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{escape(number(value))}</text>'
            )
        body.append(
            f'<text x="{left + index * group + group / 2:.1f}" y="{base + 16}" text-anchor="middle" '
            f'font-size="11">'
            f"{escape(category)}</text>"
        )
    for line_index, line in enumerate(lines):
        body.append(_line(line, line_index, left, group, y_of, number))
    legend_top = base + bottom - 8
    for index, item in enumerate([*columns, *lines]):
        y = legend_top + index * legend_row
        if item.kind == "columns":
            swatch = f'<rect x="{left}" y="{y}" width="14" height="14" {_fill(chart_id, index)}/>'
        else:
            swatch = _marker(left + 7, y + 7, lines.index(item)) + (
                f'<line x1="{left - 4}" y1="{y + 7}" x2="{left + 18}" y2="{y + 7}" stroke="{INK}" '
                f'stroke-width="2" stroke-dasharray="{_dash(lines.index(item))}"/>'
            )
        body.append(f'{swatch}<text x="{left + 24}" y="{y + 12}">{escape(item.name)}</text>')
    return _svg(chart_id, width, height, title, description, body)


def _dash(index: int) -> str:
    return ("6 3", "2 3", "10 4")[index % 3]


def _marker(x: float, y: float, index: int) -> str:
    """A point marker whose shape (circle, square, diamond) tells the lines apart."""
    shape = index % 3
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
    if shape == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{INK}"/>'
    return f'<path d="M{x:.1f},{y - 5:.1f} l5,5 l-5,5 l-5,-5 z" fill="{INK}"/>'


def _line(
    line: Series,
    index: int,
    left: float,
    group: float,
    y_of: Callable[[float], float],
    number: Formatter,
) -> str:
    points = [
        (left + position * group + group / 2, y_of(value), value)
        for position, value in enumerate(line.values)
        if value is not None
    ]
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
    parts = [
        f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2" '
        f'stroke-dasharray="{_dash(index)}"/>'
    ]
    for x, y, value in points:
        parts.append(
            _marker(x, y, index) + f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="10" '
            f'font-weight="600">{escape(number(value))}</text>'
        )
    return "".join(parts)
