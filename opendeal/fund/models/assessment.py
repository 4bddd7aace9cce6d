"""Assessment: eligibility checks, panel members' conflicts of interest and scores, and the
decisions officers make (each with the letter sent to the applicant).

The rules live in `opendeal.fund.scoring` (scores, conflicts, independence, ranking) and
`opendeal.fund.decisions` (eligibility, decisions within the round's budget, letters).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

__all__ = [
    "ConflictOfInterest",
    "Decision",
    "DecisionOutcome",
    "EligibilityCheck",
    "EligibilityOutcome",
    "Score",
]

MAXIMUM_SCORE = 5


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Ineligible"


class EligibilityCheck(models.Model):
    """An officer's check that a submitted application meets the round's rules. The latest
    check stands; earlier ones stay as the record of what was decided when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "fund.Application", on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    outcome = models.CharField(max_length=20, choices=EligibilityOutcome.choices)
    # Required when ineligible: the applicant is told it.
    reason = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        permissions = [("check_eligibility", "Can check applications' eligibility")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.checked_at:%Y-%m-%d})"


class ConflictOfInterest(models.Model):
    """A panel member's declared interest in an application: from then on they can neither
    see nor score it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        "fund.Round", on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    panel_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_conflicts"
    )
    application = models.ForeignKey(
        "fund.Application", on_delete=models.CASCADE, related_name="conflicts_of_interest"
    )
    reason = models.TextField()
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["declared_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel_member", "application"], name="fund_one_conflict_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"Conflict of interest declared {self.declared_at:%Y-%m-%d}"


class Score(models.Model):
    """One panel member's score for one application against one criterion, 0-5."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "fund.Application", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey("fund.Criterion", on_delete=models.CASCADE, related_name="scores")
    panel_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_scores"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(MAXIMUM_SCORE)]
    )
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "panel_member", "criterion__position", "pk"]
        permissions = [("score_applications", "Can score eligible applications on a panel")]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "panel_member"],
                name="fund_one_score_per_criterion_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=MAXIMUM_SCORE),
                name="fund_score_from_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/{MAXIMUM_SCORE}"


class DecisionOutcome(models.TextChoices):
    AWARD = "award", "Award"
    DECLINE = "decline", "Decline"
    MORE_INFORMATION = "more_information", "Ask for more information"


class Decision(models.Model):
    """An officer's decision on an application, with its reason and the letter as sent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "fund.Application", on_delete=models.CASCADE, related_name="decisions"
    )
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    reason = models.TextField()
    # Awards only: the amount awarded.
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    # The letter exactly as it was sent, so it reads the same however templates change later.
    letter = models.TextField(blank=True)
    # "Ask for more information" only: the applicant's reply, written in the service (saved
    # as they go) and sent back to the officers at `replied_at`.
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        permissions = [("decide_applications", "Can moderate scores and decide on applications")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_at:%Y-%m-%d})"
