"""Evaluation results as the evidence report writes them."""

from django import template

from opendeal.observatory.evaluation import DifferenceInDifferences, Interval
from opendeal.observatory.evidence import interval_text, placebo_text

register = template.Library()


@register.filter
def interval(value: Interval | None) -> str:
    """An estimate with its 95% interval: "+1.2 (95% interval +0.4 to +2.0)"."""
    return interval_text(value) or "–"


@register.filter
def placebo(value: DifferenceInDifferences) -> str:
    """A difference in differences' placebo test in words."""
    return placebo_text(value) or "–"
