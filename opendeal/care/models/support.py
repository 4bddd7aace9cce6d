"""Connections to community services, and formal care packages."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from .conversations import Conversation
from .people import Person, Team


class ConnectionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONTACTED = "contacted", "Contacted"
    ATTENDED = "attended", "Attended"
    STOPPED = "stopped", "Stopped"
    # The person did not want to be referred: recorded so, with its own SNOMED CT code.
    DECLINED = "declined", "Declined"


# SNOMED CT (UK edition) concepts for social prescribing, as GP systems record them.
SNOMED_REFERRAL = ("871731000000106", "Referral to social prescribing service")
SNOMED_DECLINED = ("871711000000103", "Social prescribing declined")


class Connection(models.Model):
    """A person connected to a community service from the directory (social prescribing)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="connections")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="connections"
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="care_connections"
    )
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.SUGGESTED
    )
    made_on = models.DateField(db_index=True)
    status_changed_on = models.DateField()
    # The first day they went: the grant's "people who attended" counts these.
    first_attended_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-made_on", "-pk"]
        indexes = [models.Index(fields=["service", "status"], name="care_conn_service_status")]

    def __str__(self) -> str:
        return f"Connection {self.public_id}"

    @property
    def snomed(self) -> tuple[str, str]:
        return SNOMED_DECLINED if self.status == ConnectionStatus.DECLINED else SNOMED_REFERRAL


class PackageKind(models.TextChoices):
    REABLEMENT = "reablement", "Reablement (short-term)"
    LONG_TERM = "long_term", "Long-term care and support"


class PackageSetting(models.TextChoices):
    HOME_CARE = "home_care", "Care at home"
    RESIDENTIAL = "residential", "Residential care"
    NURSING = "nursing", "Nursing care"
    DAY_OPPORTUNITIES = "day_opportunities", "Day opportunities"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    EQUIPMENT_AND_ADAPTATIONS = "equipment", "Equipment and adaptations"
    OTHER = "other", "Other"


class SupportPackage(models.Model):
    """Formal, paid-for care. `ends_on` is the last day it is provided (empty while it goes on)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="packages")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="packages")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="packages"
    )
    kind = models.CharField(max_length=20, choices=PackageKind.choices, db_index=True)
    setting = models.CharField(max_length=20, choices=PackageSetting.choices)
    description = models.TextField(blank=True)
    provider = models.CharField(max_length=200, blank=True)
    weekly_cost = models.DecimalField(max_digits=10, decimal_places=2)
    starts_on = models.DateField(db_index=True)
    ends_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["kind", "starts_on"], name="care_pkg_kind_start")]

    def __str__(self) -> str:
        return f"Package {self.public_id}"

    def cost_between(self, first: datetime.date, last: datetime.date) -> Decimal:
        """What the package costs over the days `first`..`last` (both included) that it covers:
        the weekly cost times days/7, to the penny."""
        start = max(first, self.starts_on)
        end = min(last, self.ends_on) if self.ends_on else last
        if end < start:
            return Decimal("0.00")
        days = (end - start).days + 1
        return (self.weekly_cost * days / 7).quantize(Decimal("0.01"))
