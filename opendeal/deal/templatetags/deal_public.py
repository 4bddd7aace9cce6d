"""Small pieces of the public Deal pages: status tags, progress bars, figures and trends."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from opendeal.deal import charts
from opendeal.deal.models import Status
from opendeal.deal.progress import Trend

register = template.Library()

# GOV.UK tag colours for each status.
STATUS_TAG_CLASSES = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.ON_TRACK: "govuk-tag--green",
    Status.AT_RISK: "govuk-tag--yellow",
    Status.OFF_TRACK: "govuk-tag--red",
    Status.ACHIEVED: "govuk-tag--blue",
}

_ARROWS = {"up": "↑", "down": "↓", "level": "→"}
_MOVEMENT_TEXT = {
    "up": "the figure went up",
    "down": "the figure went down",
    "level": "the figure did not change",
}


@register.simple_tag
def status_tag(status: str | None) -> SafeString:
    if not status:
        return SafeString("")
    status = Status(status)
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', STATUS_TAG_CLASSES[status], status.label
    )


@register.simple_tag
def progress_bar(value: Decimal | None, key: object, label: str, status: str = "") -> SafeString:
    """A progress bar; `key` (a public id, or "deal") makes its element ids unique on the page."""
    return charts.progress_bar(value, chart_id=f"progress-{key}", label=label, status=status or "")


@register.simple_tag
def measure_chart(measure) -> SafeString:
    """A measure's readings as a line chart with its baseline and target."""
    return charts.line_chart(
        [(reading.observed_on, reading.value) for reading in measure.readings],
        chart_id=f"chart-{measure.public_id}",
        title=f"{measure.title}: figures over time",
        unit=measure.unit,
        baseline=measure.baseline_value,
        target=measure.target_value,
    )


@register.filter
def figure(value: Decimal | None, unit: str = "") -> str:
    """1234.5000|figure:"people" -> "1,234.5 people"; nothing -> "None yet"."""
    return "None yet" if value is None else charts.figure(value, unit)


@register.filter
def percent(value: Decimal | None) -> str:
    """Progress as a whole percentage, or "Not yet measured"."""
    if value is None:
        return "Not yet measured"
    return charts.figure(value.quantize(Decimal("1")), "%")


@register.filter
def long_date(day) -> str:
    return charts.long_date(day) if day else ""


@register.simple_tag
def trend(trend_value: str | None, movement: str | None) -> SafeString:
    """The trend as a word, with an arrow showing which way the figure moved; the arrow's
    meaning is spelled out for screen readers."""
    if not trend_value or not movement:
        return format_html("{}", "Not enough figures yet")
    return format_html(
        '{} <span aria-hidden="true">{}</span><span class="govuk-visually-hidden"> ({})</span>',
        Trend(trend_value).value.capitalize(),
        _ARROWS[movement],
        _MOVEMENT_TEXT[movement],
    )
