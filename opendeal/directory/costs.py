"""Whether a service is free: the one rule the service page and "free services only" share.

A service is free when it lists at least one cost option and every one of them has an amount
of nothing (0). A cost option without an amount ("£5 per session" written only in its
description) is not known to be free, and a service with no cost options is not known to be
free either: its `fees` text may say what it charges ("£4 per class"), and the standard has no
field that says "free". Residents asking for free services get only those we know are free.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from .models import CostOption


def is_free(amounts: Iterable[Decimal | None]) -> bool:
    """The rule, for the amounts of one service's cost options."""
    amounts = list(amounts)
    return bool(amounts) and all(amount is not None and amount == 0 for amount in amounts)


def free_services() -> Q:
    """The rule as a condition on services (the outer query's `pk`)."""
    options = CostOption.objects.filter(service=OuterRef("pk"))
    # exclude(amount=0) keeps options with no amount (NULL) as well as those above nothing.
    return Q(Exists(options)) & ~Q(Exists(options.exclude(amount=0)))
