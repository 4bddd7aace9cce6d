"""Filters for the assessment and grant pages: money and scores as people read them."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def pounds(amount: Decimal | None) -> str:
    """£10,000.01; a dash for nothing."""
    if amount is None:
        return "–"
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def two_places(value: Decimal | None) -> str:
    """A score to two decimal places, halves rounded up (as `scoring.rounded`)."""
    if value is None:
        return "–"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


@register.filter
def weight(value: Decimal | None) -> str:
    """A weight as typed, without trailing zeros or an exponent: 10, 1.5."""
    if value is None:
        return "–"
    return f"{value.normalize():f}"
