"""The community directory, modelled on Open Referral UK (HSDS-UK 3.0).

Every model keeps the standard's field names and its UUID `id` as the primary key, so a record
keeps the same id across councils' systems. `modified` feeds the API's `modified_after` filter.

Some of the standard's ids are references by value only: the standard's own examples point
`parent_organization_id`, a term's `parent_id` and `taxonomy_id`, and an attribute's `link_id`
at records that are not in the package, so those are plain UUID fields, not foreign keys.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class OrukRecord(models.Model):
    id = models.UUIDField(primary_key=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return str(getattr(self, "name", "") or self.id)


class Taxonomy(OrukRecord):
    name = models.TextField()
    description = models.TextField()
    uri = models.TextField(blank=True, default="")
    version = models.TextField(blank=True, default="")

    class Meta(OrukRecord.Meta):
        verbose_name_plural = "taxonomies"


class TaxonomyTerm(OrukRecord):
    name = models.TextField()
    description = models.TextField()
    parent_id = models.UUIDField(null=True, blank=True)
    # The taxonomy by name (the standard's `taxonomy`) and, when known, by id.
    taxonomy = models.TextField(blank=True, default="")
    taxonomy_id = models.UUIDField(null=True, blank=True)
    term_uri = models.TextField(blank=True, default="")
    term = models.TextField(blank=True, default="")


class Organization(OrukRecord):
    name = models.TextField()
    description = models.TextField()
    email = models.TextField(blank=True, default="")
    website = models.TextField(blank=True, default="")
    logo = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    parent_organization_id = models.UUIDField(null=True, blank=True)


class OrganizationIdentifier(OrukRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers"
    )
    identifier_scheme = models.TextField(blank=True, default="")
    identifier_type = models.TextField()
    identifier = models.TextField()


class Location(OrukRecord):
    class LocationType(models.TextChoices):
        PHYSICAL = "physical"
        POSTAL = "postal"
        VIRTUAL = "virtual"

    location_type = models.CharField(max_length=20, choices=LocationType.choices)
    name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    # Indexed for the radius search's bounding box (PostgreSQL combines the two with BitmapAnd).
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, db_index=True
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, db_index=True
    )
    external_identifier = models.TextField(blank=True, default="")
    external_identifier_type = models.TextField(blank=True, default="")


class Address(OrukRecord):
    class AddressType(models.TextChoices):
        PHYSICAL = "physical"
        POSTAL = "postal"
        VIRTUAL = "virtual"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.TextField(blank=True, default="")
    address_1 = models.TextField()
    address_2 = models.TextField(blank=True, default="")
    city = models.TextField()
    region = models.TextField(blank=True, default="")
    state_province = models.TextField()
    postal_code = models.TextField()
    country = models.TextField()
    address_type = models.CharField(max_length=20, choices=AddressType.choices)

    class Meta(OrukRecord.Meta):
        verbose_name_plural = "addresses"


class Accessibility(OrukRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True, default="")
    details = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")
    accessibility = models.TextField(blank=True, default="")

    class Meta(OrukRecord.Meta):
        verbose_name_plural = "accessibility"


class Service(OrukRecord):
    class Status(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"
        DEFUNCT = "defunct"
        TEMPORARILY_CLOSED = "temporarily closed"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services", null=True, blank=True
    )
    name = models.TextField()
    description = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")
    email = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices)
    fees = models.TextField(blank=True, default="")
    accreditations = models.TextField(blank=True, default="")
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.TextField(blank=True, default="")
    alert = models.TextField(blank=True, default="")
    # When the publisher last changed it (the standard's field); `modified` is ours.
    last_modified = models.DateTimeField(null=True, blank=True)
    # When a council editor or the listing's owner last confirmed it is right; listings unreviewed
    # for STALE_AFTER are flagged in search and their owners reminded.
    last_reviewed_on = models.DateField(null=True, blank=True)

    STALE_AFTER = datetime.timedelta(days=365)

    def is_stale(self, today: datetime.date | None = None) -> bool:
        reviewed = self.last_reviewed_on
        if reviewed is None:
            return True
        return (today or timezone.localdate()) - reviewed > self.STALE_AFTER


class ServiceAtLocation(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )


class Contact(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="contacts", null=True, blank=True
    )
    name = models.TextField(blank=True, default="")
    title = models.TextField(blank=True, default="")


class Phone(OrukRecord):
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="phones", null=True, blank=True
    )
    number = models.TextField()
    description = models.TextField(blank=True, default="")


class Language(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="languages", null=True, blank=True
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, related_name="languages", null=True, blank=True
    )


class Schedule(OrukRecord):
    """When a service runs, as an iCalendar RRULE broken into the standard's fields."""

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY"
        MONTHLY = "MONTHLY"

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="schedules", null=True, blank=True
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="schedules", null=True, blank=True
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        related_name="schedules",
        null=True,
        blank=True,
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    # Hours east of UTC, as HSDS 3.0's `timezone` number.
    timezone = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True, default="")
    freq = models.CharField(max_length=10, choices=Frequency.choices, blank=True, default="")
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.TextField(blank=True, default="")
    byweekno = models.TextField(blank=True, default="")
    bymonthday = models.TextField(blank=True, default="")
    byyearday = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.TextField(blank=True, default="")
    attending_type = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")


class CostOption(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="cost_options", null=True, blank=True
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.TextField(blank=True, default="")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(blank=True, default="")


class Funding(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="funding", null=True, blank=True
    )
    source = models.TextField(blank=True, default="")

    class Meta(OrukRecord.Meta):
        verbose_name_plural = "funding"


class ServiceArea(OrukRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_areas", null=True, blank=True
    )
    name = models.TextField(blank=True, default="")
    extent = models.TextField(blank=True, default="")
    extent_type = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    service_area = models.TextField(blank=True, default="")


class Attribute(OrukRecord):
    """A taxonomy term attached to any record: `link_type` names the kind, `link_id` its id."""

    link_id = models.UUIDField(null=True, blank=True, db_index=True)
    link_type = models.TextField(blank=True, default="")
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes", null=True, blank=True
    )


# Listing ownership and moderation --------------------------------------------------------------


class OrganizationMember(models.Model):
    """A person who may propose changes to an organisation's listings (its services)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_memberships"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="directory_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


class ListingChange(models.Model):
    """One proposed (or directly made) change to a service's listing, kept for its history.

    `proposed` is the whole listing as it should be after the change and `base` the listing as
    it was when the change was proposed (both `moderation.snapshot` dictionaries), so the queue
    can show what changed and the history keeps every version. Nothing public changes until an
    editor approves; a confirmation ("still correct") proposes the listing unchanged."""

    class Kind(models.TextChoices):
        EDIT = "edit", "Changes"
        CONFIRMATION = "confirmation", "Confirmed as still correct"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Replaced by a later proposal"
        EDITED_DIRECTLY = "edited_directly", "Changed by an editor"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EDIT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    base = models.JSONField()
    proposed = models.JSONField()
    note = models.TextField(blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-proposed_at"]
        permissions = [
            ("moderate_listings", "Can approve, reject and directly edit directory listings"),
            ("propose_listing_changes", "Can propose changes to their organisation's listings"),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="directory_change_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.service_id} ({self.status})"


class ReviewReminder(models.Model):
    """An email reminding an organisation's members that a listing needs reviewing. One is sent
    per listing until it is next reviewed: a reminder later than `last_reviewed_on` means done."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="review_reminders")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Review reminder for {self.service_id} at {self.sent_at:%Y-%m-%d}"


# Problem reports from residents ---------------------------------------------------------------


class ListingProblemReport(models.Model):
    """Someone telling us a listing is wrong. The reporter's email address, when given, is kept
    only until an editor closes the report (they are told the outcome, then it is erased)."""

    class Problem(models.TextChoices):
        CLOSED = "closed", "The service has closed or stopped running"
        CONTACT_DETAILS = "contact_details", "The phone number, email or website is wrong"
        OPENING_TIMES = "opening_times", "The opening times are wrong"
        ADDRESS = "address", "The address or location is wrong"
        COSTS = "costs", "The costs are wrong"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="problem_reports")
    problem = models.CharField(max_length=20, choices=Problem.choices)
    details = models.TextField(blank=True, default="")
    # Personal data: blank once the report is closed.
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("review_problem_reports", "Can see residents' reports of problems with listings")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="directory_report_queue")]

    def __str__(self) -> str:
        return f"Problem report {self.id} ({self.status})"
