"""Teams, the people they support, who else may see a person, and the people around them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Team(models.Model):
    """A team of practitioners (a neighbourhood team, the reablement team…). Practitioners are
    its members; team managers manage it. People are allocated to one team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="care_teams"
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="care_managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleSixBasis(models.TextChoices):
    """UK GDPR Article 6(1): the lawful basis for processing the person's data."""

    CONSENT = "a_consent", "6(1)(a) Consent"
    CONTRACT = "b_contract", "6(1)(b) Contract"
    LEGAL_OBLIGATION = "c_legal_obligation", "6(1)(c) Legal obligation"
    VITAL_INTERESTS = "d_vital_interests", "6(1)(d) Vital interests"
    PUBLIC_TASK = "e_public_task", "6(1)(e) Public task"
    LEGITIMATE_INTERESTS = "f_legitimate_interests", "6(1)(f) Legitimate interests"


class ArticleNineCondition(models.TextChoices):
    """UK GDPR Article 9(2): the condition for processing special-category (health) data."""

    EXPLICIT_CONSENT = "a_explicit_consent", "9(2)(a) Explicit consent"
    SOCIAL_PROTECTION_LAW = (
        "b_social_protection",
        "9(2)(b) Employment, social security and social protection law",
    )
    VITAL_INTERESTS = "c_vital_interests", "9(2)(c) Vital interests"
    NOT_FOR_PROFIT = "d_not_for_profit", "9(2)(d) Not-for-profit bodies"
    MADE_PUBLIC = "e_made_public", "9(2)(e) Made public by the person"
    LEGAL_CLAIMS = "f_legal_claims", "9(2)(f) Legal claims or judicial acts"
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "g_public_interest",
        "9(2)(g) Reasons of substantial public interest",
    )
    HEALTH_OR_SOCIAL_CARE = "h_health_social_care", "9(2)(h) Health or social care"
    PUBLIC_HEALTH = "i_public_health", "9(2)(i) Public health"
    ARCHIVING_RESEARCH = "j_archiving_research", "9(2)(j) Archiving, research and statistics"


class Person(models.Model):
    """Someone the council supports. Their record is special-category personal data: every view
    and change is audited (`opendeal.care.access`), and only their team, their team's managers
    and colleagues it is shared with can see it.

    `closed_on` starts the retention clock: records closed for `OPENDEAL_CARE_RETENTION_YEARS`
    are erased by `opendeal care_housekeeping`. `erased_at` is set by erasure, which blanks every
    identifying field and keeps the row for the borough's figures."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    # What they like to be called.
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # From the postcode; blank when it is not in our postcode data.
    lsoa21_code = models.CharField("LSOA 2021 code", max_length=9, blank=True, db_index=True)
    ward_code = models.CharField(max_length=9, blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164, e.g. +441614960123
    email = models.EmailField(blank=True)
    # Ten digits, Modulus 11 checked; optional.
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    lawful_basis = models.CharField(
        max_length=30, choices=ArticleSixBasis.choices, default=ArticleSixBasis.PUBLIC_TASK
    )
    special_category_condition = models.CharField(
        max_length=30,
        choices=ArticleNineCondition.choices,
        default=ArticleNineCondition.HEALTH_OR_SOCIAL_CARE,
    )
    # When the person agreed to their details being kept and shared with the services they are
    # connected to (needed whatever the lawful basis, as a matter of good practice).
    consent_recorded_on = models.DateField(null=True, blank=True)
    consents_to_sharing = models.BooleanField(default=False)
    consent_notes = models.TextField(blank=True)
    # In their own words: what they are good at, what they give others, what they enjoy.
    strengths = models.TextField(blank=True)
    gifts = models.TextField(blank=True)
    interests = models.TextField(blank=True)
    what_matters = models.TextField("What matters to them", blank=True)
    # Demo people are fictional and labelled so wherever they are shown.
    is_fictional = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    closed_on = models.DateField(null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        permissions = [
            (
                "work_with_people",
                "Can keep the records of, and hold conversations with, the people of their teams "
                "or shared with them",
            ),
            (
                "manage_team_people",
                "Can see their teams' people and their audit trails, share, close and erase "
                "records, answer subject access requests and export connections",
            ),
            ("download_extract", "Can download the pseudonymised analytics extract"),
            # The demand dashboard and gap map for the whole council (opendeal.care.demand).
            ("view_demand", "Can see the council-wide demand figures and gap map"),
        ]

    def __str__(self) -> str:
        return f"Person {self.public_id}"

    @property
    def display_name(self) -> str:
        if self.erased_at:
            return "Erased record"
        name = f"{self.given_name} {self.family_name}".strip() or "Unnamed person"
        if self.preferred_name and self.preferred_name != self.given_name:
            name += f" ({self.preferred_name})"
        return name + (" – fictional" if self.is_fictional else "")

    @property
    def is_open(self) -> bool:
        return self.closed_on is None and self.erased_at is None


class PersonShare(models.Model):
    """A person's record shared with one more member of staff, outside their team."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_shares"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "user"], name="care_share_once_per_user")
        ]

    def __str__(self) -> str:
        return f"Share of {self.person_id} with {self.user_id}"


class RelationshipKind(models.TextChoices):
    FAMILY = "family", "Family"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    CARER = "carer", "Unpaid carer"
    COMMUNITY = "community", "Someone from a community group"
    PROFESSIONAL = "professional", "Professional"
    OTHER = "other", "Other"


class Relationship(models.Model):
    """Someone in the person's life, and how to reach them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    # In words: "daughter", "neighbour at number 12", "friend from the allotment".
    relationship = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    is_main_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_main_contact", "name", "pk"]

    def __str__(self) -> str:
        return f"Relationship {self.public_id}"
