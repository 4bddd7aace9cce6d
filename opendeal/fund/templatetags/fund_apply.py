"""Filters for the application pages: money as GOV.UK writes it, and task-list status tags."""

from decimal import Decimal

from django import template

from ..applications import TaskStatus

register = template.Library()

# GOV.UK task list: completed is plain text; others are coloured tags.
_TAG_CLASSES = {
    TaskStatus.INCOMPLETE: "govuk-tag--light-blue",
    TaskStatus.NOT_STARTED: "govuk-tag--blue",
    TaskStatus.CANNOT_START: "govuk-tag--grey",
    TaskStatus.OPTIONAL: "govuk-tag--grey",
    TaskStatus.STOPPED: "govuk-tag--red",
}


@register.filter
def pounds(amount: Decimal | None) -> str:
    """£1,500.50; £2,000 for whole pounds."""
    if amount is None:
        return ""
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


@register.filter
def task_tag_class(status: str) -> str:
    return _TAG_CLASSES.get(status, "")
