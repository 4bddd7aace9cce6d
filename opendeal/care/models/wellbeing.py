"""Wellbeing measured over time: SWEMWBS and the ONS personal wellbeing questions (ONS4)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .conversations import Conversation
from .people import Person


def _item(low: int, high: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(low), MaxValueValidator(high)]
    )


class SwemwbsResponse(models.Model):
    """The Short Warwick-Edinburgh Mental Wellbeing Scale: seven items, each 1-5. Only complete
    responses are kept; `metric_score` is the raw score converted with the published table."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="swemwbs")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_on = models.DateField(db_index=True)
    optimistic = _item(1, 5)
    useful = _item(1, 5)
    relaxed = _item(1, 5)
    dealing_with_problems = _item(1, 5)
    thinking_clearly = _item(1, 5)
    close_to_others = _item(1, 5)
    own_mind = _item(1, 5)
    raw_score = models.PositiveSmallIntegerField()
    metric_score = models.DecimalField(max_digits=4, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    ITEMS = (
        "optimistic",
        "useful",
        "relaxed",
        "dealing_with_problems",
        "thinking_clearly",
        "close_to_others",
        "own_mind",
    )

    class Meta:
        ordering = ["recorded_on", "pk"]

    def __str__(self) -> str:
        return f"SWEMWBS {self.public_id}"


class Ons4Response(models.Model):
    """The ONS personal wellbeing questions, each 0-10. For anxiety, lower is better."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ons4")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_on = models.DateField(db_index=True)
    life_satisfaction = _item(0, 10)
    worthwhile = _item(0, 10)
    happiness = _item(0, 10)
    anxiety = _item(0, 10)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    ITEMS = ("life_satisfaction", "worthwhile", "happiness", "anxiety")

    class Meta:
        ordering = ["recorded_on", "pk"]

    def __str__(self) -> str:
        return f"ONS4 {self.public_id}"
