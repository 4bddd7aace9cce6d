"""The owners' and editors' pages: who may open them, proposing through the form, and an
editor approving and rejecting through the queue."""

import pytest
from django.core import mail
from django.utils import timezone

from opendeal.core.roles import Role
from opendeal.directory import moderation
from opendeal.directory.listing_forms import ListingForm
from opendeal.directory.models import ListingChange, Service
from opendeal.directory.tests.moderation_listings import (
    add_member,
    make_listing,
    make_organization,
    make_place,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    make_place()
    return make_listing(make_organization("Pemberton Pantry"))


@pytest.fixture
def owner(make_user, service):
    return add_member(
        make_user(Role.COMMUNITY_MEMBER, email="owner@example.org"), service.organization
    )


@pytest.fixture
def editor(make_user):
    return make_user(Role.DIRECTORY_EDITOR)


@pytest.fixture
def change(service, owner):
    return moderation.propose(owner, service, {"name": "Pantry and café"})


def owner_paths(service):
    return [
        f"/directory/your-listings/{service.id}/",
        f"/directory/your-listings/{service.id}/edit/",
        f"/directory/your-listings/{service.id}/confirm/",
    ]


def editor_paths(service, change):
    return [
        "/directory/manage/changes/",
        f"/directory/manage/changes/{change.id}/",
        f"/directory/manage/changes/{change.id}/reject/",
        "/directory/manage/listings/",
        f"/directory/manage/listings/{service.id}/edit/",
        "/directory/manage/stale/",
    ]


def test_owner_pages_open_only_for_the_organisations_members(
    client, sign_in, make_user, service, owner, change
):
    for path in owner_paths(service):
        assert client.get(path).status_code == 302, path  # to sign in
        assert sign_in(make_user(Role.RESIDENT)).get(path).status_code == 403, path
        outsider = add_member(make_user(Role.COMMUNITY_MEMBER), make_organization("Other"))
        assert sign_in(outsider).get(path).status_code == 403, path
        assert sign_in(owner).get(path).status_code == 200, path
    assert sign_in(owner).get("/directory/your-listings/").status_code == 200


def test_editor_pages_open_only_for_editors(
    client, sign_in, make_user, service, owner, change, editor, administrator
):
    for path in editor_paths(service, change):
        assert client.get(path).status_code == 302, path
        assert sign_in(make_user(Role.RESIDENT)).get(path).status_code == 403, path
        assert sign_in(owner).get(path).status_code == 403, path
        assert sign_in(make_user(Role.PRACTITIONER)).get(path).status_code == 403, path
        assert sign_in(editor).get(path).status_code == 200, path
        assert sign_in(administrator).get(path).status_code == 200, path
    approve = f"/directory/manage/changes/{change.id}/approve/"
    assert sign_in(owner).post(approve).status_code == 403
    change.refresh_from_db()
    assert change.status == ListingChange.Status.PENDING


def test_history_is_open_to_owners_and_editors(sign_in, make_user, service, owner, change, editor):
    for path in (
        f"/directory/listings/{service.id}/history/",
        f"/directory/listings/changes/{change.id}/",
    ):
        assert sign_in(owner).get(path).status_code == 200
        assert sign_in(editor).get(path).status_code == 200
        outsider = add_member(make_user(Role.COMMUNITY_MEMBER), make_organization("Other"))
        assert sign_in(outsider).get(path).status_code == 403
        assert sign_in(make_user(Role.RESIDENT)).get(path).status_code == 403


def form_data(service, **changes):
    listing = moderation.snapshot(service)
    data = {
        "name": listing["name"],
        "description": listing["description"],
        "status": listing["status"],
        "minimum_age": listing["minimum_age"],
        "taxonomy_terms": listing["taxonomy_terms"],
        "contact_0_id": listing["contacts"][0]["id"],
        "contact_0_name": listing["contacts"][0]["name"],
        "contact_0_phone": listing["contacts"][0]["phones"][0]["number"],
        "cost_0_id": listing["cost_options"][0]["id"],
        "cost_0_option": listing["cost_options"][0]["option"],
        "cost_0_amount": listing["cost_options"][0]["amount"],
        "location_0_id": listing["locations"][0]["id"],
        "location_0_name": listing["locations"][0]["name"],
        "location_0_address_1": listing["locations"][0]["address_1"],
        "location_0_city": listing["locations"][0]["city"],
        "location_0_postal_code": listing["locations"][0]["postal_code"],
        "TU_opens": "10:00",
        "TU_closes": "14:00",
        "TH_opens": "10:00",
        "TH_closes": "14:00",
    }
    return {**data, **changes}


def test_an_unchanged_form_is_the_same_listing(service, owner):
    form = ListingForm(form_data(service), listing=moderation.snapshot(service))
    assert form.is_valid(), form.errors
    assert {**moderation.snapshot(service), **form.to_listing()} == moderation.snapshot(service)


def test_an_owner_proposes_and_an_editor_approves(
    sign_in, service, owner, editor, django_capture_on_commit_callbacks
):
    response = sign_in(owner).post(
        f"/directory/your-listings/{service.id}/edit/",
        form_data(service, WE_opens="18:00", WE_closes="20:00", note="Evening session"),
    )
    assert response.status_code == 302
    change = ListingChange.objects.get(status=ListingChange.Status.PENDING)
    assert change.note == "Evening session"
    assert change.proposed["opening_hours"]["days"]["WE"] == ["18:00", "20:00"]
    assert "WE" not in moderation.snapshot(service)["opening_hours"]["days"]

    editor_client = sign_in(editor)
    review = editor_client.get(f"/directory/manage/changes/{change.id}/")
    assert review.status_code == 200
    changed = [row.label for row in review.context["rows"] if row.changed]
    assert changed == ["Opening hours"]
    assert "Wednesday: 6pm to 8pm" in review.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/directory/manage/changes/{change.id}/approve/")
    assert response.status_code == 302
    assert moderation.snapshot(Service.objects.get(id=service.id))["opening_hours"]["days"][
        "WE"
    ] == ["18:00", "20:00"]
    assert mail.outbox[0].to == ["owner@example.org"]


def test_the_form_shows_errors_and_proposes_nothing(sign_in, service, owner):
    response = sign_in(owner).post(
        f"/directory/your-listings/{service.id}/edit/",
        form_data(service, name="", MO_opens="09:00", location_0_postal_code="not a postcode"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the name of the service" in page
    assert "Enter both times for Monday, or neither if it is closed" in page
    assert "Enter a real postcode, like WN1 1AA" in page
    assert ListingChange.objects.count() == 0


def test_an_editor_rejects_with_a_reason(sign_in, change, editor):
    client = sign_in(editor)
    path = f"/directory/manage/changes/{change.id}/reject/"
    response = client.post(path, {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the change is rejected" in response.content.decode()
    assert client.post(path, {"reason": "Keep the old name."}).status_code == 302
    change.refresh_from_db()
    assert (change.status, change.reason) == ("rejected", "Keep the old name.")


def test_an_editor_edits_directly(sign_in, service, editor):
    response = sign_in(editor).post(
        f"/directory/manage/listings/{service.id}/edit/",
        form_data(service, description="Checked by phone."),
    )
    assert response.status_code == 302
    assert Service.objects.get(id=service.id).description == "Checked by phone."
    assert ListingChange.objects.get().status == ListingChange.Status.EDITED_DIRECTLY


def test_an_owner_confirms_the_listing(sign_in, service, owner):
    response = sign_in(owner).post(f"/directory/your-listings/{service.id}/confirm/")
    assert response.status_code == 302
    assert ListingChange.objects.get().kind == ListingChange.Kind.CONFIRMATION


def test_the_stale_page_lists_stale_listings(sign_in, editor):
    stale = make_listing(make_organization("Old"), name="Old listing", reviewed_on=None)
    make_listing(make_organization("New"), name="Fresh listing", reviewed_on=timezone.localdate())
    page = sign_in(editor).get("/directory/manage/stale/").content.decode()
    assert stale.name in page
    assert "Fresh listing" not in page


def test_items_beyond_the_forms_rows_are_kept(service, owner):
    listing = moderation.snapshot(service)
    extra = [{"id": "", "name": f"Contact {n}", "title": "", "phones": []} for n in range(4)]
    listing["contacts"] = listing["contacts"] + extra
    # The form shows three contacts; the other two are not on it.
    shown = {"contact_1_name": "Contact 0", "contact_2_name": "Contact 1"}
    form = ListingForm(form_data(service, **shown), listing=listing)
    assert form.is_valid(), form.errors
    names = [contact["name"] for contact in form.to_listing()["contacts"]]
    assert names == ["Enquiries", "Contact 0", "Contact 1", "Contact 2", "Contact 3"]
