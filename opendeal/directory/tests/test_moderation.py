"""Editing listings through the moderation queue: owners propose, editors approve or reject,
nothing public changes before approval, and every step is in the history and the audit trail."""

import datetime
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.directory import moderation
from opendeal.directory.models import ListingChange, Location, Schedule, Service, ServiceAtLocation
from opendeal.directory.tests.moderation_listings import (
    add_member,
    make_listing,
    make_organization,
    make_place,
    make_term,
)

pytestmark = pytest.mark.django_db
T = datetime.time


@pytest.fixture
def service():
    make_place()
    return make_listing(make_organization("Pemberton Pantry"))


@pytest.fixture
def owner(make_user, service):
    return add_member(
        make_user(Role.COMMUNITY_MEMBER, full_name="Olive Owner", email="olive@example.org"),
        service.organization,
    )


@pytest.fixture
def editor(make_user):
    return make_user(Role.DIRECTORY_EDITOR, full_name="Eddie Editor")


def full_change(service):
    """A proposal touching every part of the listing."""
    listing = moderation.snapshot(service)
    listing["name"] = "Community pantry and café"
    listing["minimum_age"] = 16
    listing["contacts"][0]["phones"][0]["number"] = "01942 222222"
    listing["contacts"].append(
        {"id": "", "name": "Volunteers", "title": "Coordinator", "phones": []}
    )
    listing["cost_options"][0]["amount"] = "0.00"
    listing["locations"][0]["postal_code"] = "WN5 9LP"
    listing["locations"][0]["address_1"] = "Norley Hall Avenue"
    listing["taxonomy_terms"] = [str(make_term("Health").id)]
    listing["opening_hours"] = {"days": {"MO": ["09:00", "12:00"]}, "note": "Ring first"}
    return listing


def test_nothing_public_changes_until_an_editor_approves(service, owner, editor):
    before = moderation.snapshot(service)
    modified_before = Service.objects.get(id=service.id).modified
    change = moderation.propose(owner, service, full_change(service), note="New hours")

    assert change.status == ListingChange.Status.PENDING
    assert moderation.snapshot(Service.objects.get(id=service.id)) == before
    assert Service.objects.get(id=service.id).modified == modified_before

    make_place("WN5 9LP", "53.539529", "-2.676383")
    moderation.approve(editor, change)
    service.refresh_from_db()
    after = moderation.snapshot(service)
    assert after["name"] == "Community pantry and café"
    assert after["minimum_age"] == 16
    assert sorted((c["name"], c["title"]) for c in after["contacts"]) == [
        ("Enquiries", ""),
        ("Volunteers", "Coordinator"),
    ]
    assert {p["number"] for c in after["contacts"] for p in c["phones"]} == {"01942 222222"}
    assert after["cost_options"][0]["amount"] == "0.00"
    assert after["locations"][0]["postal_code"] == "WN5 9LP"
    location = Location.objects.get(id=after["locations"][0]["id"])
    assert (str(location.latitude), str(location.longitude)) == ("53.539529", "-2.676383")
    assert after["taxonomy_terms"] == change.proposed["taxonomy_terms"]
    assert len(after["taxonomy_terms"]) == 1
    rows = Schedule.objects.filter(service=service)
    assert [(r.freq, r.byday, r.opens_at, r.closes_at, r.description) for r in rows] == [
        ("WEEKLY", "MO", T(9), T(12), "Ring first")
    ]
    assert service.modified > modified_before
    assert service.last_reviewed_on == datetime.date.today()
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ListingChange.Status.APPROVED, editor)


def test_approval_keeps_the_ids_of_records_it_changes(service, owner, editor):
    contact_id = service.contacts.get().id
    cost_id = service.cost_options.get().id
    listing = moderation.snapshot(service)
    listing["contacts"][0]["name"] = "Front desk"
    listing["cost_options"][0]["amount_description"] = "£3.50 a week"
    moderation.approve(editor, moderation.propose(owner, service, listing))
    assert service.contacts.get().id == contact_id and service.contacts.get().name == "Front desk"
    assert service.cost_options.get().id == cost_id


def test_members_change_only_their_own_organisations_listings(service, owner, make_user):
    other = make_listing(make_organization("Leigh Shed"), name="Men's shed")
    with pytest.raises(PermissionDenied, match="only change listings of your own organisation"):
        moderation.propose(owner, other, {"name": "Taken over"})
    outsider = make_user(Role.COMMUNITY_MEMBER)
    with pytest.raises(PermissionDenied):
        moderation.propose(outsider, service, {"name": "Taken over"})
    resident = add_member(make_user(Role.RESIDENT), service.organization)
    with pytest.raises(PermissionDenied, match="Your role does not include"):
        moderation.propose(resident, service, {"name": "Taken over"})
    assert ListingChange.objects.count() == 0
    assert Service.objects.get(id=other.id).name == "Men's shed"


def test_residents_and_members_cannot_moderate(service, owner, make_user):
    change = moderation.propose(owner, service, {"name": "New name"})
    for person in (owner, make_user(Role.RESIDENT), make_user(Role.PRACTITIONER)):
        with pytest.raises(PermissionDenied):
            moderation.approve(person, change)
        with pytest.raises(PermissionDenied):
            moderation.reject(person, change, "No")
    change.refresh_from_db()
    assert change.status == ListingChange.Status.PENDING
    assert Service.objects.get(id=service.id).name == "Community pantry"


def test_a_proposal_that_changes_nothing_is_refused(service, owner):
    with pytest.raises(ValidationError, match="not changed anything"):
        moderation.propose(owner, service, moderation.snapshot(service))
    assert ListingChange.objects.count() == 0


def test_a_new_proposal_replaces_the_pending_one(service, owner):
    first = moderation.propose(owner, service, {"name": "First idea"})
    second = moderation.propose(owner, service, {"name": "Second idea"})
    first.refresh_from_db()
    assert first.status == ListingChange.Status.WITHDRAWN
    assert moderation.pending_change(service) == second


def test_rejection_needs_a_reason_and_emails_it(
    service, owner, editor, django_capture_on_commit_callbacks
):
    change = moderation.propose(owner, service, {"name": "Shouty NAME"})
    with pytest.raises(ValidationError):
        moderation.reject(editor, change, "  ")
    change.refresh_from_db()
    assert change.status == ListingChange.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reject(editor, change, "Please keep the usual name.")
    change.refresh_from_db()
    assert (change.status, change.reason) == ("rejected", "Please keep the usual name.")
    assert Service.objects.get(id=service.id).name == "Community pantry"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olive@example.org"]
    assert "Please keep the usual name." in mail.outbox[0].body
    assert f"/directory/your-listings/{service.id}/" in mail.outbox[0].body


def test_a_change_is_decided_once(service, owner, editor):
    change = moderation.propose(owner, service, {"name": "New name"})
    moderation.approve(editor, change)
    with pytest.raises(ValidationError, match="already been dealt with"):
        moderation.reject(editor, change, "Too late")
    with pytest.raises(ValidationError, match="already been dealt with"):
        moderation.approve(editor, change)


def test_approval_is_atomic(service, owner, editor):
    """A proposal that fails half-way through being applied leaves the listing as it was."""
    change = moderation.propose(owner, service, {"name": "Half applied"})
    # Stored proposals are data: one that became unreadable must not half-apply.
    ListingChange.objects.filter(id=change.id).update(
        proposed={**change.proposed, "opening_hours": {"days": {"MO": ["25:00", "26:00"]}}}
    )
    before = moderation.snapshot(service)
    with pytest.raises(ValueError):
        moderation.approve(editor, change)
    service.refresh_from_db()
    assert moderation.snapshot(service) == before
    change.refresh_from_db()
    assert change.status == ListingChange.Status.PENDING
    assert not AuditEvent.objects.filter(action="directory.listing.change_approved").exists()


def test_confirming_goes_through_the_queue_and_sets_the_review_date(service, owner, editor):
    confirmation = moderation.confirm_still_correct(owner, service)
    assert Service.objects.get(id=service.id).last_reviewed_on == datetime.date(2026, 1, 10)
    moderation.approve(editor, confirmation)
    service.refresh_from_db()
    assert service.last_reviewed_on == datetime.date.today()
    assert service.name == "Community pantry"


def test_confirming_while_changes_wait_is_refused(service, owner):
    moderation.propose(owner, service, {"name": "New name"})
    with pytest.raises(ValidationError, match="waiting for review"):
        moderation.confirm_still_correct(owner, service)


def test_editors_edit_directly_and_it_is_in_the_history(service, editor, owner):
    moderation.propose(owner, service, {"name": "Owner's idea"})
    moderation.edit_directly(editor, service, {"description": "Checked by phone."})
    service.refresh_from_db()
    assert service.description == "Checked by phone."
    assert service.last_reviewed_on == datetime.date.today()
    history = list(moderation.history(service))
    assert [(c.status, c.proposed_by) for c in history] == [
        (ListingChange.Status.EDITED_DIRECTLY, editor),
        (ListingChange.Status.PENDING, owner),
    ]
    actions = [event.action for event in moderation.audit_trail(service)]
    assert actions == ["directory.listing.edited_directly", "directory.listing.change_proposed"]


def test_a_members_edit_of_a_shared_place_does_not_move_other_services(service, owner, editor):
    shared = service.service_at_locations.get().location
    neighbour = make_listing(make_organization("Leigh Shed"), name="Men's shed", location=shared)
    listing = moderation.snapshot(service)
    listing["locations"][0]["address_1"] = "Moved Street"
    moderation.approve(editor, moderation.propose(owner, service, listing))
    assert shared.addresses.get().address_1 == "Sherwood Crescent"
    assert neighbour.service_at_locations.get().location == shared
    moved = service.service_at_locations.get().location
    assert moved != shared and moved.addresses.get().address_1 == "Moved Street"
    assert ServiceAtLocation.objects.filter(location=shared).count() == 1


def test_history_is_for_editors_and_owners_only(service, owner, editor, make_user):
    moderation.check_can_view_history(owner, service)
    moderation.check_can_view_history(editor, service)
    outsider = add_member(make_user(Role.COMMUNITY_MEMBER), make_organization("Other"))
    with pytest.raises(PermissionDenied):
        moderation.check_can_view_history(outsider, service)


def test_a_proposal_cannot_reach_another_listings_records(service, owner, editor):
    other = make_listing(make_organization("Other"), name="Other service")
    foreign_contact = other.contacts.get()
    listing = moderation.snapshot(service)
    listing["contacts"] = [{"id": str(foreign_contact.id), "name": "Hijacked", "phones": []}]
    moderation.approve(editor, moderation.propose(owner, service, listing))
    foreign_contact.refresh_from_db()
    assert foreign_contact.name == "Enquiries" and foreign_contact.service_id == other.id
    assert service.contacts.get().name == "Hijacked" and service.contacts.get().id != uuid.UUID(
        str(foreign_contact.id)
    )
