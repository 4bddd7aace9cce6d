"""Applicants and their applications: organisations (with their 360Giving org ids) and the
people who act for them, and each application with its answers, budget, match funding,
partners and supporting documents."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

__all__ = [
    "Application",
    "ApplicationPartner",
    "ApplicationStatus",
    "BudgetLine",
    "DocumentKind",
    "EligibilityAnswer",
    "FormAnswer",
    "MatchFunding",
    "Organisation",
    "OrganisationKind",
    "OrganisationMember",
    "OrganisationRole",
    "SupportingDocument",
    "private_storage",
]


def private_storage():
    """Where supporting documents are kept: the "private" storage (settings.STORAGES), outside
    the web root and never given a public URL. A callable, so that swapping the backend (for
    django-storages, say) needs no migration."""
    return storages["private"]


class OrganisationKind(models.TextChoices):
    REGISTERED_CHARITY = "registered_charity", "Registered charity"
    COMPANY = "company", "Company (for example a community interest company)"
    CHARITABLE_COMPANY = "charitable_company", "Charitable company (a charity and a company)"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    UNREGISTERED_GROUP = "unregistered_group", "Unregistered community group"
    OTHER = "other", "Other"


class Organisation(models.Model):
    """A community organisation that applies for, or partners in, funding."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=8, blank=True)
    # The 360Giving organisation identifier, computed from the kind and numbers by
    # `opendeal.fund.orgids.org_id_for`: GB-CHC-…, GB-COH-… or 360G-<prefix>-<public_id>.
    org_id = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    lsoa21_code = models.CharField(max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    website = models.URLField(blank=True)
    # The matching organisation in the service directory, once there is one.
    directory_organization_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Who registered it when it was already here without members (named as a partner in
    # someone else's bid before it registered), and when: fund officers see this.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_registered(self) -> bool:
        return bool(self.charity_number or self.company_number)


class OrganisationRole(models.TextChoices):
    LEAD_CONTACT = "lead_contact", "Main contact"
    MEMBER = "member", "Member"


class OrganisationMember(models.Model):
    """Someone who may act for an organisation: see and make its applications."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fund_memberships"
    )
    role = models.CharField(
        max_length=20, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="fund_one_membership_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Member of {self.organisation}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Not eligible"
    MORE_INFORMATION = "more_information", "More information needed"
    AWARDED = "awarded", "Awarded"
    DECLINED = "declined", "Declined"


class Application(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey("fund.Round", on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications"
    )
    tier = models.ForeignKey(
        "fund.Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    project_title = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    amount_requested = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    years = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    priorities = models.ManyToManyField("fund.Priority", blank=True, related_name="applications")
    # Where the project happens; the LSOA and ward come from the postcode.
    postcode = models.CharField(max_length=10, blank=True)
    lsoa21_code = models.CharField(max_length=9, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["round", "status"], name="fund_app_round_status")]

    def __str__(self) -> str:
        return self.project_title or f"Application {self.public_id}"

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def reference(self) -> str:
        """A short reference applicants can quote."""
        return str(self.public_id).split("-")[0].upper()


class ApplicationPartner(models.Model):
    """Another organisation in a joint bid, and what it does in the project."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    role_in_project = models.TextField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="fund_partner_once_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"Partner in {self.application}"


class EligibilityAnswer(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="eligibility_answers"
    )
    question = models.ForeignKey(
        "fund.EligibilityQuestion", on_delete=models.CASCADE, related_name="answers"
    )
    answer = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="fund_one_eligibility_answer"
            )
        ]

    def __str__(self) -> str:
        return "Yes" if self.answer else "No"


class FormAnswer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "fund.FormQuestion", on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="fund_one_form_answer")
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question}"


class BudgetLine(models.Model):
    """What part of the money requested pays for, in which year of the project."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    description = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["year", "pk"]

    def __str__(self) -> str:
        return f"Year {self.year}: {self.description}"


class MatchFunding(models.Model):
    """Money or support from elsewhere towards the same project."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="match_funding"
    )
    source = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    secured = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "match funding"

    def __str__(self) -> str:
        return self.source


class DocumentKind(models.TextChoices):
    CONSTITUTION = "constitution", "Constitution or governing document"
    ACCOUNTS = "accounts", "Accounts or financial statement"
    BANK_STATEMENT = "bank_statement", "Bank statement"
    SAFEGUARDING = "safeguarding", "Safeguarding policy"
    QUOTE = "quote", "Quote for costs"
    OTHER = "other", "Other supporting document"


def _document_path(document: "SupportingDocument", filename: str) -> str:
    # Stored under a random name: the original name is kept in the row, never in the path.
    return f"fund/applications/{document.application.public_id}/{uuid.uuid4().hex}"


class SupportingDocument(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_document_path, storage=private_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
