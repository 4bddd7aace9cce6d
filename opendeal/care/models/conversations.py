"""Conversations (contacts) in the Three Conversations model, what was heard and agreed."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .people import Person, Team


class ConversationKind(models.TextChoices):
    """The Three Conversations model (Partners4Change)."""

    LISTEN_AND_CONNECT = "listen_and_connect", "Conversation 1: listen and connect"
    WORK_INTENSIVELY = "work_intensively", "Conversation 2: work intensively with someone in crisis"
    BUILD_A_GOOD_LIFE = "build_a_good_life", "Conversation 3: build a good life"


class Outcome(models.TextChoices):
    """How a contact ended. Every conversation has one."""

    INFORMATION_AND_ADVICE = "information_and_advice", "Information and advice"
    COMMUNITY_CONNECTION = "community_connection", "Community connection"
    SHORT_TERM_SUPPORT = "short_term_support", "Short-term support"
    LONG_TERM_SUPPORT = "long_term_support", "Long-term support"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


# Outcomes that resolved the contact without formal (paid-for) care: the demand dashboard's
# "resolved without formal care".
OUTCOMES_WITHOUT_FORMAL_CARE = (
    Outcome.INFORMATION_AND_ADVICE,
    Outcome.COMMUNITY_CONNECTION,
    Outcome.NO_FURTHER_ACTION,
)


class ConversationMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"


class Conversation(models.Model):
    """One contact with a person. Strengths, people and what matters are recorded before needs,
    as the conversation should go. `team`, `lsoa21_code` and `ward_code` are as they were on the
    day (copied from the person when it is recorded)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conversations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="conversations")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=ConversationKind.choices)
    method = models.CharField(
        max_length=20, choices=ConversationMethod.choices, default=ConversationMethod.IN_PERSON
    )
    held_on = models.DateField(db_index=True)
    # What was heard, in the order the conversation goes.
    strengths_heard = models.TextField(blank=True)
    people_heard = models.TextField("The people around them", blank=True)
    what_matters_heard = models.TextField("What matters to them", blank=True)
    needs_heard = models.TextField("What they would like help with", blank=True)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, db_index=True)
    follow_up_on = models.DateField(null=True, blank=True)
    # The earlier conversation this one follows up.
    follows_up = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    lsoa21_code = models.CharField("LSOA 2021 code", max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["held_on", "outcome"], name="care_conv_month_outcome"),
            models.Index(fields=["team", "held_on"], name="care_conv_team_date"),
            # The demand dashboard's wellbeing cohorts: each person's first contact.
            models.Index(fields=["person", "held_on"], name="care_conv_person_date"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.public_id}"


class HeardNeed(models.Model):
    """A need or an interest heard in a conversation, as a directory taxonomy term, where and
    when it was heard. The gap map counts these by term and neighbourhood against the services
    that offer the term nearby."""

    class Kind(models.TextChoices):
        NEED = "need", "Need"
        INTEREST = "interest", "Interest"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="heard_needs"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="heard_needs")
    taxonomy_term = models.ForeignKey(
        "directory.TaxonomyTerm", on_delete=models.PROTECT, related_name="care_heard_needs"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    heard_on = models.DateField()
    lsoa21_code = models.CharField("LSOA 2021 code", max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "taxonomy_term", "kind"], name="care_heard_need_once"
            )
        ]
        indexes = [
            models.Index(fields=["taxonomy_term", "lsoa21_code"], name="care_need_term_lsoa"),
            models.Index(fields=["heard_on"], name="care_need_heard_on"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.taxonomy_term_id} in conversation {self.conversation_id}"


class AgreedAction(models.Model):
    """Something agreed in a conversation: what, who does it, by when, and when it was done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    # Who does it, in words: "Margaret", "Her daughter Karen", "Dan (practitioner)".
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Action {self.public_id}"
