"""Figures and comparisons as the observatory's pages write them."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from opendeal.deal.charts import figure as chart_figure
from opendeal.observatory.models import Comparison
from opendeal.observatory.statistics import published_comparison

register = template.Library()

# GOV.UK tag colours for comparisons; the words always say it too.
_TAG_COLOURS = {
    Comparison.BETTER: "govuk-tag--green",
    Comparison.SIMILAR: "govuk-tag--yellow",
    Comparison.WORSE: "govuk-tag--red",
    Comparison.HIGHER: "govuk-tag--blue",
    Comparison.LOWER: "govuk-tag--blue",
}


@register.filter
def figure(value: Decimal | None, unit: str = "") -> str:
    """A figure to at most two decimal places, with its unit; a dash when there is none."""
    if value is None:
        return "–"
    if value.as_tuple().exponent < -2:
        value = value.quantize(Decimal("0.01"))
    return chart_figure(value, unit)


@register.filter
def signed(value: Decimal | float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    number = Decimal(str(round(float(value), 2)))
    text = figure(abs(number), unit)
    return f"+{text}" if number > 0 else f"−{text}" if number < 0 else text


@register.simple_tag
def comparison_tag(comparison: str | None, published_label: str = "") -> str:
    """A comparison as a GOV.UK tag; a published label not known here is shown as it is."""
    if comparison:
        choice = Comparison(comparison)
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>',
            _TAG_COLOURS.get(choice, "govuk-tag--grey"),
            choice.label,
        )
    if published_label:
        known = published_comparison(published_label)
        colour = _TAG_COLOURS.get(known, "govuk-tag--grey") if known else "govuk-tag--grey"
        return format_html('<strong class="govuk-tag {}">{}</strong>', colour, published_label)
    return "–"
