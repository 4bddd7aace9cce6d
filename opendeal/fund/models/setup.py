"""A fund's set-up, which fund officers configure: the fund (a grant programme), its rounds
(open and close times), tiers (how much, for how long, tapering how), priorities linked to the
Deal's themes, the eligibility questions that stop an ineligible applicant early, the round's
application form and the criteria the panel scores against."""

import itertools
import uuid
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

__all__ = [
    "Criterion",
    "EligibilityQuestion",
    "FormQuestion",
    "Fund",
    "Priority",
    "Round",
    "Tier",
    "split_by_taper",
]

PENNY = Decimal("0.01")


class Fund(models.Model):
    """A grant programme, e.g. the Deal for Communities Investment Fund."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True, help_text="What the fund is for.")
    # The programme code used in the 360Giving data (grantProgramme/code).
    programme_code = models.CharField(max_length=50, blank=True)
    # Help for applicants shown on the fund's public page (workshops, who to ask).
    guidance = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("manage_funds", "Can create and edit funds, rounds, tiers and questions"),
            ("view_applications", "Can see every application to the fund's rounds"),
            ("apply_to_fund", "Can apply to a fund for an organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """One call for applications. It is open from `opens_at` up to, but not including,
    `closes_at` (server time): an application submitted at the closing second is late."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    slug = models.SlugField()
    description = models.TextField(blank=True)
    guidance = models.TextField(blank=True, help_text="Help for applicants to this round.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # Panel scores stay independent (hidden from each other) until then.
    scoring_closes_at = models.DateTimeField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    # How much "answers a recorded gap" counts in each panel member's weighted score, as the
    # weight of an extra criterion scored automatically (opendeal.fund.scoring): 5 when one of
    # the application's priorities carries a gap from the care gap map, else 0. 0: not used.
    recorded_gap_weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "title"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "slug"], name="fund_round_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="fund_round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(recorded_gap_weight__gte=0),
                name="fund_round_recorded_gap_weight_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund.name}: {self.title}"

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.published and self.opens_at <= at < self.closes_at

    def has_closed(self, at=None) -> bool:
        return (at or timezone.now()) >= self.closes_at

    def scoring_is_closed(self, at=None) -> bool:
        if self.scoring_closes_at is None:
            return False
        return (at or timezone.now()) >= self.scoring_closes_at


def split_by_taper(amount: Decimal, taper: list[int]) -> list[Decimal]:
    """Divide `amount` between years in proportion to the taper's percentages, pence-exact:
    [100, 66, 33] of £9,950 gives £5,000, £3,300, £1,650. Pennies lost to rounding go to the
    first year, so the parts always add up to the amount."""
    if not taper:
        return []
    total = sum(taper)
    parts = [(amount * share / total).quantize(PENNY, rounding=ROUND_DOWN) for share in taper]
    parts[0] += amount - sum(parts)
    return parts


class Tier(models.Model):
    """A size of grant within a round, e.g. small (up to £2,000 for a year) or "big idea".

    `taper` holds whole-number percentages, one per year up to `maximum_years`: the level of
    funding each year relative to the first (e.g. [100, 66, 33]), so that projects become
    self-financing. An award over fewer years uses the first years' shares (`split_by_taper`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    minimum_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    maximum_amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    maximum_years = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    taper = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "maximum_amount"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="fund_tier_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if (
            self.minimum_amount is not None
            and self.maximum_amount is not None
            and self.minimum_amount > self.maximum_amount
        ):
            errors["minimum_amount"] = "The minimum amount must not be more than the maximum."
        problem = taper_problem(self.taper, self.maximum_years)
        if problem:
            errors["taper"] = problem
        if errors:
            raise ValidationError(errors)

    def split(self, amount: Decimal, years: int) -> list[Decimal]:
        """The amount for each year of an award of `years` years in this tier."""
        return split_by_taper(amount, list(self.taper[:years]) or [100] * years)


def taper_problem(taper, years: int | None) -> str:
    """Why a taper is not valid for a tier of `years` years, or "" when it is."""
    if not isinstance(taper, list) or not all(
        isinstance(share, int) and not isinstance(share, bool) for share in taper
    ):
        return "Give the taper as whole-number percentages, one for each year, like 100, 66, 33"
    if years is not None and len(taper) != years:
        return f"Give one percentage for each of the {years} years (you gave {len(taper)})."
    if any(share < 1 or share > 100 for share in taper):
        return "Each year's percentage must be from 1 to 100."
    if any(later > earlier for earlier, later in itertools.pairwise(taper)):
        return "A taper must not go up from one year to the next."
    return ""


class Priority(models.Model):
    """What a round wants to fund, tied where it fits to one of the Deal's themes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    deal_theme = models.ForeignKey(
        "deal.Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="priorities"
    )
    position = models.PositiveSmallIntegerField(default=0)
    # The gap on the care gap map this priority answers (opendeal.care.gaps): people asked for
    # this directory taxonomy term in this neighbourhood and no active service nearby offers it.
    gap_taxonomy_term = models.ForeignKey(
        "directory.TaxonomyTerm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fund_priorities",
    )
    # An LSOA 2021 (E01…) or ward (E05…) code.
    gap_area_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title


class EligibilityQuestion(models.Model):
    """A yes/no question asked before anything else. The wrong answer stops the applicant
    with `ineligible_message`, which says why."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="eligibility_questions")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    eligible_answer = models.BooleanField(default=True)
    ineligible_message = models.TextField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class FormQuestion(models.Model):
    """A question on the round's application form, answered in words."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="form_questions")
    text = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    max_words = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Criterion(models.Model):
    """What the panel scores, from 0 to 5, with a descriptor for each score."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # {"0": "No evidence", …, "5": "Excellent"}
    descriptors = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="fund_criterion_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = {str(score) for score in range(6)}
        if self.descriptors and set(self.descriptors) != expected:
            raise ValidationError({"descriptors": "Give a descriptor for each score from 0 to 5."})
