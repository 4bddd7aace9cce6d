"""Accessible charts drawn on the server as SVG: no JavaScript, no inline styles.

Pure functions from values to markup. Every chart is role="img", labelled by its own <title>
and <desc> (so each needs an id unique on the page), styled only by the `.opendeal-chart*` and
`.opendeal-progress*` classes in `opendeal/core/sass/opendeal.scss`, and meant to sit beside a
table of the same figures. All text is escaped.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# The line chart's drawing area inside its viewBox.
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 24, 56
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def figure(value: Decimal, unit: str = "") -> str:
    """A figure as people read it: 1234.5000 with unit "people" -> "1,234.5 people"."""
    text = format(value.normalize(), ",f")
    if text == "-0":
        text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _number(value: float) -> str:
    """A coordinate, short: 12.0 -> "12", 12.345 -> "12.3"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open_svg(
    chart_id: str,
    css_class: str,
    width: int,
    height: int,
    title: str,
    desc: str,
    *,
    stretch: bool = False,
) -> str:
    """The <svg> element with its <title> and <desc>. `stretch` lets a bar fill any width."""
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}"{} role="img" aria-labelledby="{}-title {}-desc" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        css_class,
        width,
        height,
        mark_safe(' preserveAspectRatio="none"') if stretch else "",
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
    )


# --- Progress bar ------------------------------------------------------------------------------

_PROGRESS_MODIFIERS = {"at_risk": "at-risk", "off_track": "off-track"}


def progress_bar(
    value: Decimal | None, *, chart_id: str, label: str, status: str = ""
) -> SafeString:
    """A 0-100 bar; coloured by status (at risk, off track). `label` names what progressed."""
    modifier = _PROGRESS_MODIFIERS.get(status)
    bar_class = "opendeal-progress__bar" + (
        f" opendeal-progress__bar--{modifier}" if modifier else ""
    )
    if value is None:
        title, desc, bar = f"{label}: not yet measured", "No progress can be shown yet.", ""
    else:
        clamped = min(max(value, Decimal("0")), Decimal("100"))
        shown = figure(value.quantize(Decimal("1")), "%")
        title = f"{label}: {shown} progress"
        desc = f"A bar filled {shown} of the way from the baseline to the target."
        bar = format_html(
            '<rect class="{}" x="0" y="0" width="{}" height="16"></rect>',
            bar_class,
            _number(float(clamped)),
        )
    return mark_safe(  # every part is built by format_html
        _open_svg(chart_id, "opendeal-progress", 100, 16, title, desc, stretch=True)
        + '<rect class="opendeal-progress__track" x="0" y="0" width="100" height="16"></rect>'
        + bar
        + "</svg>"
    )


# --- Line chart of readings --------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high < low:
        low, high = high, low
    if high == low:
        spread = abs(high) or 1.0
        low, high = low - spread / 2, high + spread / 2
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick < high + step / 2:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def _describe_line(
    points: Sequence[tuple[datetime.date, Decimal]],
    baseline: Decimal | None,
    target: Decimal | None,
    unit: str,
) -> str:
    parts = []
    if not points:
        parts.append("No figures have been recorded yet.")
    elif len(points) == 1:
        day, value = points[0]
        parts.append(f"One figure: {figure(value, unit)} on {long_date(day)}.")
    else:
        (first_day, first), (last_day, last) = points[0], points[-1]
        parts.append(
            f"{len(points)} figures from {long_date(first_day)} to {long_date(last_day)}, "
            f"going from {figure(first, unit)} to {figure(last, unit)}."
        )
    if baseline is not None:
        parts.append(f"Baseline {figure(baseline, unit)}.")
    if target is not None:
        parts.append(f"Target {figure(target, unit)}.")
    return " ".join(parts)


@dataclass(frozen=True)
class _Scale:
    ticks: list[float]
    first_day: datetime.date | None
    days: int

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return TOP + PLOT_HEIGHT * (high - value) / (high - low)

    def x(self, day: datetime.date) -> float:
        if self.first_day is None or self.days == 0:
            return LEFT + PLOT_WIDTH / 2
        return LEFT + PLOT_WIDTH * (day - self.first_day).days / self.days


def _reference_line(scale: _Scale, value: Decimal, css_class: str, label: str) -> tuple[str, str]:
    """A horizontal line across the plot and its label, drawn separately so that the label
    can go on top of the readings."""
    y = _number(scale.y(float(value)))
    line = format_html(
        '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
        css_class,
        LEFT,
        y,
        LEFT + PLOT_WIDTH,
        y,
    )
    text = format_html(
        '<text class="opendeal-chart__label opendeal-chart__label--halo" x="{}" y="{}" '
        'text-anchor="end">{}</text>',
        LEFT + PLOT_WIDTH,
        _number(float(y) - 6),
        label,
    )
    return line, text


@dataclass(frozen=True)
class Line:
    """A further line drawn behind the main one (e.g. England, or a neighbour), styled by
    `.opendeal-chart__line--<modifier>`; the page says in words which line is which."""

    label: str
    points: Sequence[tuple[datetime.date, Decimal]]
    modifier: str


def line_chart(
    points: Sequence[tuple[datetime.date, Decimal]],
    *,
    chart_id: str,
    title: str,
    unit: str = "",
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    others: Sequence[Line] = (),
) -> SafeString:
    """Readings over time as a line, with the baseline and the target as horizontal lines,
    and any `others` lines behind it for comparison.

    Dates are placed in proportion to time; the value axis has round ticks covering every
    reading, the baseline and the target.
    """
    desc = _describe_line(points, baseline, target, unit) + "".join(
        f" {line.label}: {_describe_line(line.points, None, None, unit)}" for line in others
    )
    values = [float(v) for _, v in points] + [float(v) for v in (baseline, target) if v is not None]
    values += [float(v) for line in others for _, v in line.points]
    if not values:
        return mark_safe(  # built by format_html
            _open_svg(chart_id, "opendeal-chart", WIDTH, HEIGHT, title, desc)
            + format_html(
                '<text class="opendeal-chart__label" x="{}" y="{}" text-anchor="middle">{}</text>',
                WIDTH // 2,
                HEIGHT // 2,
                "No figures yet",
            )
            + "</svg>"
        )
    days = sorted({day for day, _ in points} | {day for line in others for day, _ in line.points})
    first_day = min(days, default=None)
    span = (max(days) - first_day).days if first_day else 0
    scale = _Scale(nice_ticks(min(values), max(values)), first_day, span)
    pieces = [_open_svg(chart_id, "opendeal-chart", WIDTH, HEIGHT, title, desc)]
    pieces.append(_value_axis(scale, unit))
    pieces.append(_date_axis(scale, days))
    reference_labels = []
    for value, css_class, name in (
        (baseline, "opendeal-chart__baseline", "Baseline"),
        (target, "opendeal-chart__target", "Target"),
    ):
        if value is not None:
            line, label = _reference_line(scale, value, css_class, f"{name} {figure(value, unit)}")
            pieces.append(line)
            reference_labels.append(label)
    for line in others:
        if len(line.points) > 1:
            pieces.append(
                format_html(
                    '<polyline class="opendeal-chart__line opendeal-chart__line--{}" points="{}">'
                    "</polyline>",
                    line.modifier,
                    " ".join(
                        f"{_number(scale.x(day))},{_number(scale.y(float(value)))}"
                        for day, value in line.points
                    ),
                )
            )
    coordinates = [(scale.x(day), scale.y(float(value))) for day, value in points]
    if len(coordinates) > 1:
        pieces.append(
            format_html(
                '<polyline class="opendeal-chart__line" points="{}"></polyline>',
                " ".join(f"{_number(x)},{_number(y)}" for x, y in coordinates),
            )
        )
    pieces.append(
        format_html_join(
            "",
            '<circle class="opendeal-chart__point" cx="{}" cy="{}" r="5"></circle>',
            ((_number(x), _number(y)) for x, y in coordinates),
        )
    )
    pieces.extend(reference_labels)
    pieces.append("</svg>")
    return mark_safe("".join(pieces))  # every piece is built by format_html


def _value_axis(scale: _Scale, unit: str) -> str:
    lines = [
        format_html(
            '<line class="opendeal-chart__grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
            '<text class="opendeal-chart__label" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            _number(scale.y(tick)),
            LEFT + PLOT_WIDTH,
            _number(scale.y(tick)),
            LEFT - 8,
            _number(scale.y(tick) + 5),
            figure(Decimal(str(tick)), "%" if unit == "%" else ""),
        )
        for tick in scale.ticks
    ]
    if unit and unit != "%":
        # Ticks are plain numbers: say once, above them, what they count.
        lines.append(
            format_html(
                '<text class="opendeal-chart__label" x="{}" y="{}">{}</text>', 0, TOP - 10, unit
            )
        )
    lines.append(
        format_html(
            '<line class="opendeal-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            LEFT,
            TOP,
            LEFT,
            TOP + PLOT_HEIGHT,
        )
    )
    return "".join(lines)


def _date_axis(scale: _Scale, days: list[datetime.date]) -> str:
    bottom = TOP + PLOT_HEIGHT
    # Label every date when there are few; otherwise only the first and the last.
    labelled = days if len(days) <= 4 else [days[0], days[-1]]
    labels = "".join(
        format_html(
            '<text class="opendeal-chart__label" x="{}" y="{}" text-anchor="{}">{}</text>',
            _number(scale.x(day)),
            bottom + 24,
            _anchor(scale.x(day)),
            _short_date(day),
        )
        for day in dict.fromkeys(labelled)
    )
    axis = format_html(
        '<line class="opendeal-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
        LEFT,
        bottom,
        LEFT + PLOT_WIDTH,
        bottom,
    )
    return axis + labels


def _anchor(x: float) -> str:
    if x <= LEFT + 40:
        return "start"
    if x >= LEFT + PLOT_WIDTH - 40:
        return "end"
    return "middle"


# --- Bar chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # Names a colour: .opendeal-chart__bar--<modifier>
    modifier: str = ""
    # The value as written at the bar's end and in the description ("£12,500"); the plain
    # number when empty.
    display: str = ""

    @property
    def shown(self) -> str:
        return self.display or str(self.value)


BAR_LABEL_WIDTH, BAR_HEIGHT, BAR_GAP = 160, 28, 12
# How many characters of a label fit in BAR_LABEL_WIDTH at the labels' 14px size; longer ones
# are shortened where drawn (the description and the table beside the chart keep them whole).
BAR_LABEL_CHARACTERS = 19


def _fitted_label(label: str) -> str:
    if len(label) <= BAR_LABEL_CHARACTERS:
        return label
    return label[: BAR_LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str) -> SafeString:
    """Horizontal bars, one per label, each with its value written at its end."""
    height = TOP + len(bars) * (BAR_HEIGHT + BAR_GAP)
    plot_width = WIDTH - BAR_LABEL_WIDTH - RIGHT - 40
    largest = max((bar.value for bar in bars), default=0) or 1
    desc = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars) + "." if bars else "No data."
    pieces = [_open_svg(chart_id, "opendeal-chart", WIDTH, height, title, desc)]
    for index, bar in enumerate(bars):
        y = TOP / 2 + index * (BAR_HEIGHT + BAR_GAP)
        length = plot_width * bar.value / largest
        css_class = "opendeal-chart__bar" + (
            f" opendeal-chart__bar--{bar.modifier}" if bar.modifier else ""
        )
        pieces.append(
            format_html(
                '<text class="opendeal-chart__label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<text class="opendeal-chart__label" x="{}" y="{}">{}</text>',
                BAR_LABEL_WIDTH - 8,
                _number(y + BAR_HEIGHT / 2 + 5),
                _fitted_label(bar.label),
                css_class,
                BAR_LABEL_WIDTH,
                _number(y),
                _number(length),
                BAR_HEIGHT,
                _number(BAR_LABEL_WIDTH + length + 8),
                _number(y + BAR_HEIGHT / 2 + 5),
                bar.shown,
            )
        )
    pieces.append(
        format_html(
            '<line class="opendeal-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            BAR_LABEL_WIDTH,
            _number(TOP / 2 - 4),
            BAR_LABEL_WIDTH,
            _number(height - TOP / 2 + 4),
        )
    )
    pieces.append("</svg>")
    return mark_safe("".join(pieces))  # every piece is built by format_html
