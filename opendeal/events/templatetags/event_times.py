"""Dates and times of events as GOV.UK writes them, in Europe/London: "Saturday 14 June 2025,
10am to 12:30pm"."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def govuk_time(moment: datetime.datetime) -> str:
    """10am, 6:30pm, midday, midnight."""
    local = timezone.localtime(moment)
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def govuk_date(moment: datetime.datetime) -> str:
    """Saturday 14 June 2025."""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


@register.filter
def govuk_date_time(moment: datetime.datetime) -> str:
    """14 June 2025 at 6:30pm."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {govuk_time(local)}"


@register.simple_tag
def event_when(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """When an event runs: one date when it starts and ends on the same day."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return f"{govuk_date(start)}, {govuk_time(start)} to {govuk_time(end)}"
    return f"{govuk_date(start)}, {govuk_time(start)} to {govuk_date(end)}, {govuk_time(end)}"
