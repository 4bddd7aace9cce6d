"""Helpers for the events domain tests (plain functions, so any test module can import them)."""

import re
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import TestCase

from opendeal.events.models import PLACE_HOLDING_STATUSES, Event, Registration

LINK = re.compile(r"https?://[^/\s]+/events/(confirm|cancel|calendar)/([^/\s]+)/")


def act(function: Callable, *args, **kwargs) -> Any:
    """Call a domain function as a request would: its after-commit callbacks (the emails) run
    when it returns, as they do once a real transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)


def token_in(message, purpose: str) -> str:
    """The token of the one confirm, cancel or calendar link in an email."""
    tokens = [token for kind, token in LINK.findall(message.body) if kind == purpose]
    assert len(tokens) == 1, f"expected one {purpose} link in:\n{message.body}"
    return tokens[0]


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def statuses(event: Event) -> dict[str, str]:
    """Each registration's address and status, in the order they were made."""
    rows = Registration.objects.filter(event=event).order_by("sequence")
    return dict(rows.values_list("email", "status"))


def held(event: Event) -> int:
    return Registration.objects.filter(event=event, status__in=PLACE_HOLDING_STATUSES).count()
