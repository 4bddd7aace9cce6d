"""After the award: the grant, its agreement, the payment schedule and payments, monitoring
reports with the outcomes evidence they carry, and variations.

The rules live in `opendeal.fund.awards`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = [
    "Grant",
    "GrantStatus",
    "MonitoringReport",
    "Payment",
    "Variation",
    "VariationStatus",
]


class GrantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended early"


class Grant(models.Model):
    """Money awarded to an application. `amount_awarded` always equals the sum of the grant's
    payments (the schedule is made with it and every variation changes both)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        "fund.Application", on_delete=models.PROTECT, related_name="grant"
    )
    decision = models.OneToOneField(
        "fund.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="grant"
    )
    # The 360Giving identifier: the council's registered prefix and this grant's public id.
    identifier = models.CharField(max_length=200, unique=True)
    amount_awarded = models.DecimalField(max_digits=12, decimal_places=2)
    awarded_on = models.DateField()
    planned_start = models.DateField()
    planned_end = models.DateField()
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    agreement_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The service made from the funded project in the community directory (directory.Service).
    directory_service_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        permissions = [
            (
                "manage_grants",
                "Can manage grants: variations, reports, publishing to the directory",
            ),
            ("record_payments", "Can record grant payments"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def agreement_is_accepted(self) -> bool:
        return self.agreement_accepted_at is not None


class Payment(models.Model):
    """One year's instalment of a grant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="payments")
    year = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_on = models.DateField(null=True, blank=True)
    # The finance system's reference for the payment (e.g. a BACS run), once paid.
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["grant", "year"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year"], name="fund_one_payment_per_year")
        ]

    def __str__(self) -> str:
        return f"Year {self.year}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class MonitoringReport(models.Model):
    """A report the funded organisation owes on `due_on`: what the project did and reached."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="monitoring_reports")
    due_on = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Outcomes evidence for the period the report covers.
    people_reached = models.PositiveIntegerField(null=True, blank=True)
    volunteers = models.PositiveIntegerField(null=True, blank=True)
    activities = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sessions, events or other activities held."
    )
    narrative = models.TextField(blank=True)
    # Each reminder goes once: claimed by setting these (see awards.send_monitoring_reminders).
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["grant", "due_on"]

    def __str__(self) -> str:
        return f"Report due {self.due_on:%Y-%m-%d}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class VariationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Variation(models.Model):
    """A change to a grant after the award: what changes and by how much money (positive adds
    to the grant, negative takes away; zero for a change of activity or dates)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="variations")
    description = models.TextField()
    amount_change = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    status = models.CharField(
        max_length=20, choices=VariationStatus.choices, default=VariationStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["grant", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"Variation {self.get_status_display().lower()}"
