"""Editing listings through a moderation queue.

A community organisation's members propose changes to their services; nothing public changes
until a directory editor approves. Each proposal is stored whole: `snapshot(service)` is the
listing as a plain, JSON-ready dictionary (details, ages, contacts and phones, costs, locations
with addresses, taxonomy terms, opening hours), and a proposal is the snapshot as it should be.
Approving applies the snapshot in one transaction, bumps `modified` and sets
`last_reviewed_on`; rejecting needs a reason, which is emailed to the proposer.

Editors can also edit directly (recorded in the history as "changed by an editor"). An owner
confirming that a listing is still correct goes through the same queue, as a proposal with no
changes: approving it sets `last_reviewed_on`, so the "last reviewed" date a resident sees was
always checked by the council.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.mail import absolute_url, send_email_after_commit
from opendeal.core.models import AuditEvent, User
from opendeal.core.permissions import check_permission, require
from opendeal.geography.geocoding import InvalidPostcode, UnknownPostcode, locate_postcode

from . import schedules
from .models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    ListingChange,
    Location,
    OrganizationMember,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

MODERATE = "directory.moderate_listings"
PROPOSE = "directory.propose_listing_changes"
DETAIL_FIELDS = ("name", "description", "url", "email", "status", "minimum_age", "maximum_age")


# Who may do what -------------------------------------------------------------------------------


def can_moderate(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor, MODERATE, to="moderate listings", role_lacks="moderating directory listings"
    )


def can_propose(actor: User, service: Service) -> tuple[bool, str]:
    """Members of the organisation that runs the service may propose changes to it."""
    allowed, reason = check_permission(
        actor, PROPOSE, to="change a listing", role_lacks="changing directory listings"
    )
    if not allowed:
        return allowed, reason
    if not is_member(actor, service.organization_id):
        return False, "You can only change listings of your own organisation."
    return True, ""


def is_member(actor: User, organization_id: uuid.UUID | None) -> bool:
    return (
        organization_id is not None
        and actor.is_authenticated
        and OrganizationMember.objects.filter(user=actor, organization=organization_id).exists()
    )


def owned_services(actor: User) -> QuerySet[Service]:
    """The services of every organisation the person is a member of."""
    return Service.objects.filter(organization__members__user=actor).select_related("organization")


# Snapshots -------------------------------------------------------------------------------------


def snapshot(service: Service) -> dict[str, Any]:
    """The listing as a plain dictionary: what a proposal stores and a diff compares."""
    locations = Location.objects.filter(service_at_locations__service=service).distinct()
    term_ids = Attribute.objects.filter(
        link_type="service", link_id=service.id, taxonomy_term__isnull=False
    ).values_list("taxonomy_term_id", flat=True)
    return {
        **{name: getattr(service, name) for name in DETAIL_FIELDS},
        "contacts": [
            {
                "id": str(contact.id),
                "name": contact.name,
                "title": contact.title,
                "phones": [
                    {"id": str(phone.id), "number": phone.number, "description": phone.description}
                    for phone in contact.phones.all()
                ],
            }
            for contact in service.contacts.prefetch_related("phones")
        ],
        "cost_options": [
            {
                "id": str(cost.id),
                "option": cost.option,
                "amount": None if cost.amount is None else f"{cost.amount:.2f}",
                "amount_description": cost.amount_description,
            }
            for cost in service.cost_options.all()
        ],
        "locations": [_location_snapshot(location) for location in locations],
        "taxonomy_terms": sorted({str(term_id) for term_id in term_ids}),
        "opening_hours": schedules.from_schedules(
            service.schedules.filter(location=None, service_at_location=None)
        ).to_json(),
    }


def _location_snapshot(location: Location) -> dict[str, Any]:
    address = location.addresses.first()
    return {
        "id": str(location.id),
        "name": location.name,
        "address_1": address.address_1 if address else "",
        "address_2": address.address_2 if address else "",
        "city": address.city if address else "",
        "postal_code": address.postal_code if address else "",
    }


# Applying a snapshot ---------------------------------------------------------------------------


def _apply(service: Service, proposed: dict[str, Any]) -> None:
    """Make the listing what the snapshot says. Runs inside the caller's transaction."""
    for name in DETAIL_FIELDS:
        setattr(service, name, proposed.get(name, getattr(service, name)))
    service.last_modified = timezone.now()
    service.full_clean(validate_unique=False, validate_constraints=False)
    service.save()
    _apply_contacts(service, proposed.get("contacts", []))
    _apply_costs(service, proposed.get("cost_options", []))
    _apply_locations(service, proposed.get("locations", []))
    _apply_terms(service, proposed.get("taxonomy_terms", []))
    _apply_hours(service, proposed.get("opening_hours"))


def _own_id(value: str | None, existing: set[uuid.UUID]) -> uuid.UUID:
    """The item's id when it is one of this listing's, else a new id (a snapshot cannot reach
    into another listing's records)."""
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        return uuid.uuid4()
    return parsed if parsed in existing else uuid.uuid4()


def _apply_contacts(service: Service, contacts: list[dict]) -> None:
    existing = set(service.contacts.values_list("id", flat=True))
    kept = set()
    for item in contacts:
        contact_id = _own_id(item.get("id"), existing)
        contact, _ = Contact.objects.update_or_create(
            id=contact_id,
            defaults={"service": service, "name": item["name"], "title": item.get("title", "")},
        )
        kept.add(contact_id)
        phone_ids = set(contact.phones.values_list("id", flat=True))
        kept_phones = set()
        for phone in item.get("phones", []):
            phone_id = _own_id(phone.get("id"), phone_ids)
            Phone.objects.update_or_create(
                id=phone_id,
                defaults={
                    "contact": contact,
                    "number": phone["number"],
                    "description": phone.get("description", ""),
                },
            )
            kept_phones.add(phone_id)
        contact.phones.exclude(id__in=kept_phones).delete()
    service.contacts.exclude(id__in=kept).delete()


def _apply_costs(service: Service, costs: list[dict]) -> None:
    existing = set(service.cost_options.values_list("id", flat=True))
    kept = set()
    for item in costs:
        cost_id = _own_id(item.get("id"), existing)
        amount = item.get("amount")
        CostOption.objects.update_or_create(
            id=cost_id,
            defaults={
                "service": service,
                "option": item.get("option", ""),
                "amount": None if amount in (None, "") else Decimal(amount),
                "amount_description": item.get("amount_description", ""),
            },
        )
        kept.add(cost_id)
    service.cost_options.exclude(id__in=kept).delete()


def _coordinates(postcode: str) -> tuple[Decimal | None, Decimal | None]:
    try:
        place = locate_postcode(postcode)
    except (InvalidPostcode, UnknownPostcode):
        return None, None
    return place.latitude, place.longitude


def _apply_locations(service: Service, locations: list[dict]) -> None:
    links = {link.location_id: link for link in service.service_at_locations.all()}
    kept = set()
    for item in locations:
        location_id = _own_id(item.get("id"), set(links))
        shared = (
            location_id in links
            and ServiceAtLocation.objects.filter(location=location_id)
            .exclude(service=service)
            .exists()
        )
        if shared and _location_snapshot(Location.objects.get(id=location_id)) != {
            **item,
            "id": str(location_id),
        }:
            # Other services meet there too: this listing moves to its own copy instead of
            # changing their address.
            location_id = uuid.uuid4()
        kept.add(_save_location(service, location_id, item, links))
    for location_id, link in links.items():
        if location_id not in kept:
            link.delete()
            if not ServiceAtLocation.objects.filter(location=location_id).exists():
                Location.objects.filter(id=location_id).delete()


def _save_location(
    service: Service, location_id: uuid.UUID, item: dict, links: dict[uuid.UUID, Any]
) -> uuid.UUID:
    latitude, longitude = _coordinates(item.get("postal_code", ""))
    location, _ = Location.objects.update_or_create(
        id=location_id,
        defaults={
            "location_type": Location.LocationType.PHYSICAL,
            "name": item.get("name", ""),
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    address = location.addresses.first() or Address(id=uuid.uuid4(), location=location)
    address.address_1 = item.get("address_1", "")
    address.address_2 = item.get("address_2", "")
    address.city = item.get("city", "")
    address.postal_code = item.get("postal_code", "")
    address.state_province = address.state_province or "England"
    address.country = address.country or "GB"
    address.address_type = Address.AddressType.PHYSICAL
    address.save()
    if location_id not in links:
        ServiceAtLocation.objects.create(id=uuid.uuid4(), service=service, location=location)
    return location_id


def _apply_terms(service: Service, term_ids: list[str]) -> None:
    wanted = set(TaxonomyTerm.objects.filter(id__in=term_ids).values_list("id", flat=True))
    attributes = Attribute.objects.filter(link_type="service", link_id=service.id)
    attributes.exclude(taxonomy_term__in=wanted).delete()
    present = set(attributes.values_list("taxonomy_term_id", flat=True))
    Attribute.objects.bulk_create(
        Attribute(id=uuid.uuid4(), link_type="service", link_id=service.id, taxonomy_term_id=term)
        for term in sorted(wanted - present)
    )


def _apply_hours(service: Service, hours: dict | None) -> None:
    if hours is None:
        return
    rows = service.schedules.filter(location=None, service_at_location=None)
    Schedule.objects.filter(id__in=[row.id for row in rows if schedules.is_simple(row)]).delete()
    for fields in schedules.to_schedule_fields(schedules.OpeningHours.from_json(hours)):
        Schedule.objects.create(id=uuid.uuid4(), service=service, **fields)


# Actions ---------------------------------------------------------------------------------------


def pending_change(service: Service) -> ListingChange | None:
    return service.changes.filter(status=ListingChange.Status.PENDING).first()


def _normalise(service: Service, proposed: dict[str, Any]) -> dict[str, Any]:
    """The proposal in snapshot form, with anything left out taken from the listing."""
    return {**snapshot(service), **proposed}


@transaction.atomic
def propose(
    actor: User, service: Service, proposed: dict[str, Any], note: str = ""
) -> ListingChange:
    """An owner proposes the listing as `proposed`; it replaces their earlier pending proposal."""
    require(can_propose(actor, service))
    service = Service.objects.select_for_update().get(pk=service.pk)
    base = snapshot(service)
    proposed = _normalise(service, proposed)
    if proposed == base:
        raise ValidationError(
            "You have not changed anything. To say the listing is still "
            "correct, confirm it instead."
        )
    _withdraw_pending(actor, service)
    change = ListingChange.objects.create(
        service=service, base=base, proposed=proposed, note=note.strip(), proposed_by=actor
    )
    audit.record(actor, "directory.listing.change_proposed", service, change=str(change.id))
    return change


@transaction.atomic
def confirm_still_correct(actor: User, service: Service) -> ListingChange:
    """An owner says the listing is right as it is; an editor's approval marks it reviewed."""
    require(can_propose(actor, service))
    service = Service.objects.select_for_update().get(pk=service.pk)
    pending = pending_change(service)
    if pending is not None:
        raise ValidationError(
            "Changes to this listing are waiting for review. When an editor approves them, the "
            "listing counts as reviewed."
        )
    current = snapshot(service)
    change = ListingChange.objects.create(
        service=service,
        kind=ListingChange.Kind.CONFIRMATION,
        base=current,
        proposed=current,
        proposed_by=actor,
    )
    audit.record(actor, "directory.listing.confirmation_proposed", service, change=str(change.id))
    return change


def _withdraw_pending(actor: User, service: Service) -> None:
    for earlier in service.changes.filter(status=ListingChange.Status.PENDING):
        earlier.status = ListingChange.Status.WITHDRAWN
        earlier.decided_by = actor
        earlier.decided_at = timezone.now()
        earlier.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor, "directory.listing.change_withdrawn", service, change=str(earlier.id))


def _locked_pending(change: ListingChange) -> ListingChange:
    change = ListingChange.objects.select_for_update().select_related("service").get(pk=change.pk)
    if change.status != ListingChange.Status.PENDING:
        raise ValidationError(
            f"This change has already been dealt with ({change.get_status_display().lower()})."
        )
    return change


@transaction.atomic
def approve(actor: User, change: ListingChange) -> ListingChange:
    """Publish the proposal: the listing becomes the proposed snapshot, reviewed today."""
    require(can_moderate(actor))
    change = _locked_pending(change)
    service = Service.objects.select_for_update().get(pk=change.service_id)
    if change.kind == ListingChange.Kind.EDIT:
        _apply(service, change.proposed)
    service.last_reviewed_on = timezone.localdate()
    service.save()
    _decide(actor, change, ListingChange.Status.APPROVED)
    audit.record(actor, "directory.listing.change_approved", service, change=str(change.id))
    _tell_proposer(change, "directory/email/change_approved", "approved")
    return change


@transaction.atomic
def reject(actor: User, change: ListingChange, reason: str) -> ListingChange:
    """Turn the proposal down; the proposer is emailed the reason. The listing is unchanged."""
    require(can_moderate(actor))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the change is rejected"})
    change = _locked_pending(change)
    change.reason = reason
    _decide(actor, change, ListingChange.Status.REJECTED)
    audit.record(actor, "directory.listing.change_rejected", change.service, change=str(change.id))
    _tell_proposer(change, "directory/email/change_rejected", "not approved")
    return change


@transaction.atomic
def edit_directly(
    actor: User, service: Service, proposed: dict[str, Any], note: str = ""
) -> ListingChange:
    """An editor changes the listing at once; it counts as reviewed and goes in the history."""
    require(can_moderate(actor))
    service = Service.objects.select_for_update().get(pk=service.pk)
    base = snapshot(service)
    proposed = _normalise(service, proposed)
    _apply(service, proposed)
    service.last_reviewed_on = timezone.localdate()
    service.save()
    change = ListingChange.objects.create(
        service=service,
        base=base,
        proposed=snapshot(service),
        note=note.strip(),
        proposed_by=actor,
    )
    _decide(actor, change, ListingChange.Status.EDITED_DIRECTLY)
    audit.record(actor, "directory.listing.edited_directly", service, change=str(change.id))
    return change


def _decide(actor: User, change: ListingChange, status: str) -> None:
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save()


def _tell_proposer(change: ListingChange, template: str, outcome: str) -> None:
    proposer = change.proposed_by
    if proposer is None or not proposer.email:
        return
    send_email_after_commit(
        proposer.email,
        f"Your change to “{change.service.name}” was {outcome}",
        template,
        {
            "service_name": change.service.name,
            "kind": change.get_kind_display(),
            "reason": change.reason,
            "listing_url": absolute_url(reverse("directory:listing", args=[change.service_id])),
        },
    )


def history(service: Service) -> QuerySet[ListingChange]:
    """Every proposal, confirmation and direct edit of the listing, newest first."""
    return service.changes.select_related("proposed_by", "decided_by").order_by("-proposed_at")


def check_can_view_history(actor: User, service: Service) -> None:
    """Editors and the listing's owners may read its history."""
    if can_moderate(actor)[0] or can_propose(actor, service)[0]:
        return
    raise PermissionDenied("You can only see the history of your own organisation's listings.")


def audit_trail(service: Service) -> QuerySet[AuditEvent]:
    """The audit events about the listing, newest first."""
    return (
        AuditEvent.objects.filter(object_type=Service._meta.label_lower, object_id=str(service.id))
        .select_related("actor")
        .order_by("-id")
    )
