"""The Deal: themes, the council's commitments ("our part"), residents' pledges ("your part"),
the measures that show progress, and the dated timeline of every update."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Deal(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # The GSS code of the area the Deal covers, e.g. E08000010 for Wigan.
    area_code = models.CharField(max_length=9)
    summary = models.TextField(help_text="What the Deal is, in a paragraph or two.")
    starts_on = models.DateField()
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on"]
        permissions = [
            ("edit_deal", "Can edit the Deal's themes and commitments"),
            ("record_progress", "Can record progress against commitments"),
            ("import_progress", "Can import progress updates from CSV"),
        ]

    def __str__(self) -> str:
        return self.title


class Theme(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    slug = models.SlugField()
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # How much the theme counts in the whole Deal's progress.
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "slug"], name="deal_theme_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title


class Part(models.TextChoices):
    OURS = "ours", "Our part"
    YOURS = "yours", "Your part"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    ACHIEVED = "achieved", "Achieved"


class Commitment(models.Model):
    """A promise in the Deal: the council's ("our part") or what residents are asked to do
    ("your part", which residents pledge to)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="commitments")
    part = models.CharField(max_length=5, choices=Part.choices)
    # A short code people and CSV files use, unique within the Deal, e.g. "HW1".
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # How much this commitment counts in its theme's progress.
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # Progress rolled up from the measures, 0-100, kept up to date by services.refresh_progress
    # so that the scorecard reads it instead of recomputing every measure on every view.
    progress = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["theme__position", "position", "reference"]
        indexes = [models.Index(fields=["part", "theme"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_pledgeable(self) -> bool:
        return self.part == Part.YOURS


class MeasureKind(models.TextChoices):
    METRIC = "metric", "A metric with a target"
    MILESTONES = "milestones", "Milestones"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


ONE_SERIES_MESSAGE = (
    "A measure takes its figures from one series: it is already linked to an observatory "
    "series, so it cannot also take a series from the care records."
)


class CareSeries(models.TextChoices):
    """Borough-wide quarterly series from the council's adult social care records, which a
    measure can take its figures from (`deal/published_figures.py` `care_figures`)."""

    PEOPLE_CONNECTED = (
        "people_connected",
        "People connected to a community service in the quarter",
    )
    WELLBEING_CHANGE = (
        "wellbeing_change",
        "Mean change in wellbeing (SWEMWBS) of people who answered in the quarter",
    )


class Measure(models.Model):
    """How one "our part" commitment's progress is judged."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="measures")
    # Unique within the Deal, e.g. "HW1.1"; CSV imports name measures by it.
    reference = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=MeasureKind.choices)
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Metric measures only.
    unit = models.CharField(
        max_length=50, blank=True, help_text="For example: %, people, per 100,000"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_on = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Where the figures come from.")
    # Optionally, an observatory series gives the figures: this indicator for the Deal's area
    # and this sex, read from the indicator's latest release (see published_figures.py).
    observatory_indicator = models.ForeignKey(
        "observatory.Indicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deal_measures",
    )
    observatory_sex = models.CharField(max_length=10, blank=True, default="")
    # Or a series from the care records gives them (quarterly, small numbers left out).
    care_series = models.CharField(
        max_length=30, choices=CareSeries.choices, blank=True, default=""
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "reference"]
        constraints = [
            # Two sources would both write readings on the same timeline.
            models.CheckConstraint(
                condition=models.Q(care_series="") | models.Q(observatory_indicator__isnull=True),
                name="deal_measure_one_linked_series",
                violation_error_message=ONE_SERIES_MESSAGE,
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def takes_a_series(self) -> bool:
        """Whether published figures give its readings (and so its baseline, when none)."""
        return bool(self.care_series) or self.observatory_indicator_id is not None

    def series_problems(self) -> dict[str, str]:
        """The rule the check constraint above holds, as a form error."""
        if self.care_series and self.observatory_indicator_id is not None:
            return {"care_series": ONE_SERIES_MESSAGE}
        return {}

    def clean(self) -> None:
        super().clean()
        if problems := self.series_problems():
            raise ValidationError(problems)


class Reading(models.Model):
    """One observed value of a metric measure."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    observed_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["observed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "observed_on"], name="deal_reading_one_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} on {self.observed_on}"


class Milestone(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None


class UpdateKind(models.TextChoices):
    READING = "reading", "New figure"
    MILESTONE = "milestone", "Milestone reached"
    STATUS = "status", "Status changed"
    NOTE = "note", "Update"


class ProgressUpdate(models.Model):
    """A dated entry on a commitment's public timeline, with who made it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices)
    occurred_on = models.DateField(help_text="The date the figure or event relates to.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown publicly as who made the update, e.g. "Public health team".
    recorded_by_name = models.CharField(max_length=200)
    summary = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices)
    progress = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-recorded_at"]
        indexes = [models.Index(fields=["commitment", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.summary[:60]}"


class PledgeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    ACTIVE = "active", "Signed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Pledge(models.Model):
    """A resident's signature to one "your part" commitment.

    One row per commitment and email address, so signing twice never counts twice: signing
    again re-activates the same row. The email address is personal data and never shown in
    public; only the postcode district (the outward code, e.g. "WN1") is kept of a postcode.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="pledges")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
    )
    postcode_district = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=10, choices=PledgeStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "email"], name="deal_pledge_once_per_email"
            )
        ]
        indexes = [
            # Public totals count active pledges by commitment and by district, and the
            # people who made them. These cover those queries, so counting 100,000 pledges
            # reads only the indexes (see pledges.pledge_totals).
            models.Index(
                fields=["status", "commitment", "postcode_district"], name="deal_pledge_totals"
            ),
            models.Index(fields=["status", "postcode_district"], name="deal_pledge_districts"),
            models.Index(fields=["status", "email", "commitment"], name="deal_pledge_people"),
        ]

    def __str__(self) -> str:
        return f"Pledge {self.public_id} to {self.commitment_id} ({self.status})"
