"""Every change to the Deal's progress goes through one of these actions.

Each checks permission, makes its change in a transaction, refreshes the commitment's rolled-up
progress, puts a dated entry on the public timeline and writes the audit trail.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require

from . import progress
from .models import (
    Commitment,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    ProgressUpdate,
    Reading,
    Status,
    UpdateKind,
)


def can_record_progress(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor,
        "deal.record_progress",
        to="record progress",
        role_lacks="recording progress on the Deal",
    )


def measure_progress(measure: Measure) -> Decimal | None:
    if measure.kind == MeasureKind.MILESTONES:
        milestones = list(measure.milestones.all())
        return progress.milestone_progress(
            len(milestones), sum(1 for milestone in milestones if milestone.is_complete)
        )
    latest = measure.readings.order_by("-observed_on").values_list("value", flat=True).first()
    return progress.metric_progress(
        measure.baseline_value, measure.target_value, latest, measure.direction
    )


def refresh_progress(commitment: Commitment) -> Decimal | None:
    """Recompute and store a commitment's progress from its measures."""
    measures = list(commitment.measures.prefetch_related("milestones"))
    value = progress.weighted_mean(
        (measure.weight, measure_progress(measure)) for measure in measures
    )
    Commitment.objects.filter(pk=commitment.pk).update(progress=value, updated_at=timezone.now())
    commitment.progress = value
    return value


def _timeline(
    commitment: Commitment,
    actor: User,
    kind: UpdateKind,
    occurred_on: datetime.date,
    summary: str,
    measure: Measure | None = None,
) -> ProgressUpdate:
    return ProgressUpdate.objects.create(
        commitment=commitment,
        kind=kind,
        occurred_on=occurred_on,
        recorded_by=actor,
        recorded_by_name=actor.full_name or "Council officer",
        summary=summary,
        status=commitment.status,
        progress=commitment.progress,
        measure=measure,
    )


def _check_not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: "The date must be today or in the past."})


@transaction.atomic
def record_reading(
    actor: User, measure: Measure, observed_on: datetime.date, value: Decimal, note: str = ""
) -> Reading:
    """Record (or correct) the figure for a metric measure on a date."""
    require(can_record_progress(actor))
    if measure.kind != MeasureKind.METRIC:
        raise ValidationError({"measure": f"{measure.reference} is not a metric measure."})
    _check_not_future(observed_on, "observed_on")
    reading, created = Reading.objects.update_or_create(
        measure=measure, observed_on=observed_on, defaults={"value": value}
    )
    commitment = measure.commitment
    refresh_progress(commitment)
    unit = f" {measure.unit}" if measure.unit and measure.unit != "%" else measure.unit
    verb = "was" if created else "was corrected to"
    summary = f"{measure.title} {verb} {value.normalize():f}{unit} on {observed_on:%-d %B %Y}."
    if note:
        summary += f" {note}"
    _timeline(commitment, actor, UpdateKind.READING, observed_on, summary, measure)
    audit.record(actor, "deal.reading.recorded", reading, measure=str(measure.public_id))
    return reading


@transaction.atomic
def complete_milestone(
    actor: User, milestone: Milestone, completed_on: datetime.date, note: str = ""
) -> Milestone:
    require(can_record_progress(actor))
    _check_not_future(completed_on, "completed_on")
    milestone.completed_on = completed_on
    milestone.save(update_fields=["completed_on"])
    commitment = milestone.measure.commitment
    refresh_progress(commitment)
    summary = f"Milestone reached: {milestone.title}."
    if note:
        summary += f" {note}"
    _timeline(commitment, actor, UpdateKind.MILESTONE, completed_on, summary, milestone.measure)
    audit.record(actor, "deal.milestone.completed", milestone)
    return milestone


@transaction.atomic
def change_status(actor: User, commitment: Commitment, status: Status, reason: str) -> Commitment:
    """Set an "our part" commitment's status, saying why on the timeline."""
    require(can_record_progress(actor))
    if commitment.part != Part.OURS:
        raise ValidationError({"status": "Only the council's commitments have a status."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the status changed."})
    previous = commitment.get_status_display()
    commitment.status = status
    commitment.save(update_fields=["status"])
    summary = f"Status changed from {previous} to {commitment.get_status_display()}. {reason}"
    _timeline(commitment, actor, UpdateKind.STATUS, timezone.localdate(), summary)
    audit.record(actor, "deal.status.changed", commitment, status=status)
    return commitment


@transaction.atomic
def post_update(
    actor: User, commitment: Commitment, occurred_on: datetime.date, text: str
) -> ProgressUpdate:
    """A written update on the timeline, without a new figure."""
    require(can_record_progress(actor))
    _check_not_future(occurred_on, "occurred_on")
    if not text.strip():
        raise ValidationError({"text": "Enter the update."})
    update = _timeline(commitment, actor, UpdateKind.NOTE, occurred_on, text.strip())
    audit.record(actor, "deal.update.posted", update)
    return update
