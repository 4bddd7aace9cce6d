"""Reminding owners to review listings that have gone 12 months without review.

Each stale listing's organisation members get one email; a `ReviewReminder` row records it, and
no other is sent until the listing is reviewed again (a reminder sent after `last_reviewed_on`
means this review period is done). Listings without owners on OpenDeal are left to editors,
who see every stale listing on the stale listings page.
"""

import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.mail import absolute_url, send_email_after_commit

from .models import ReviewReminder, Service


def stale_services(today: datetime.date | None = None) -> QuerySet[Service]:
    """Listings not reviewed within `Service.STALE_AFTER` (never reviewed first, then the
    oldest review), leaving out defunct ones."""
    today = today or timezone.localdate()
    cutoff = today - Service.STALE_AFTER
    return (
        Service.objects.filter(Q(last_reviewed_on__lt=cutoff) | Q(last_reviewed_on__isnull=True))
        .exclude(status=Service.Status.DEFUNCT)
        .select_related("organization")
        .order_by(F("last_reviewed_on").asc(nulls_first=True), "name")
    )


def _already_reminded(service: Service) -> bool:
    reminders = service.review_reminders.all()
    if service.last_reviewed_on is not None:
        reminders = reminders.filter(sent_at__date__gt=service.last_reviewed_on)
    return reminders.exists()


def send_review_reminders(today: datetime.date | None = None) -> int:
    """Email each stale listing's owners once; returns how many listings were reminded about."""
    sent = 0
    candidates = stale_services(today).filter(organization__members__isnull=False).distinct()
    for service in candidates:
        with transaction.atomic():
            service = Service.objects.select_for_update().get(pk=service.pk)
            if _already_reminded(service):
                continue
            members = [
                member.user for member in service.organization.members.select_related("user")
            ]
            for user in members:
                send_email_after_commit(
                    user.email,
                    f"Please check your listing “{service.name}”",
                    "directory/email/review_reminder",
                    {
                        "service_name": service.name,
                        "last_reviewed_on": service.last_reviewed_on.isoformat()
                        if service.last_reviewed_on
                        else "",
                        "listing_url": absolute_url(
                            reverse("directory:listing", args=[service.id])
                        ),
                    },
                )
            ReviewReminder.objects.create(service=service, recipients=len(members))
            audit.record(
                None, "directory.listing.review_reminded", service, recipients=len(members)
            )
            sent += 1
    return sent
