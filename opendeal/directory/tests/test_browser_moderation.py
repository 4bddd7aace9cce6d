"""A community organisation member proposes new opening hours in a real browser, and a
directory editor reviews the side-by-side diff and approves it. Every page is checked with axe."""

import pytest
from playwright.sync_api import expect

from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow, signed_in, visit
from opendeal.directory import moderation
from opendeal.directory.models import ListingChange, Service
from opendeal.directory.tests.moderation_listings import (
    add_member,
    make_listing,
    make_organization,
    make_place,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_new_hours_and_approve_them(page, live_server, sign_in, make_user):
    make_place()
    service = make_listing(make_organization("Pemberton Pantry"))
    owner = add_member(
        make_user(Role.COMMUNITY_MEMBER, full_name="Olive Owner"), service.organization
    )
    editor = make_user(Role.DIRECTORY_EDITOR, full_name="Eddie Editor")

    signed_in(page, live_server, sign_in(owner))
    visit(page, "/directory/your-listings/")
    follow(page.get_by_role("link", name="Community pantry"))
    assert_accessible(page)
    follow(page.get_by_role("link", name="Propose changes"))
    assert_accessible(page)
    page.get_by_label("Wednesday opens").fill("18:00")
    page.get_by_label("Wednesday closes").fill("20:00")
    page.get_by_label("What has changed, and why (optional)").fill("A new evening session")
    follow(page.get_by_role("button", name="Send for review"))
    assert "sent for review" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    assert "WE" not in moderation.snapshot(service)["opening_hours"]["days"]

    signed_in(page, live_server, sign_in(editor))
    visit(page, "/directory/manage/changes/")
    follow(page.get_by_role("link", name="Community pantry"))
    assert_accessible(page)
    changed_row = page.locator("#diff tr", has_text="Opening hours")
    assert "Changed" in changed_row.locator("th").inner_text()
    assert "Wednesday: 6pm to 8pm" in changed_row.inner_text()
    expect(page.locator("#diff .govuk-tag")).to_have_count(1)
    follow(page.get_by_role("button", name="Approve and publish"))
    assert "has been approved" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    visit(page, f"/directory/listings/{service.id}/history/")
    assert "Approved" in page.locator("#changes").inner_text()
    hours = moderation.snapshot(Service.objects.get(id=service.id))["opening_hours"]["days"]
    assert hours["WE"] == ["18:00", "20:00"]
    assert ListingChange.objects.get().status == ListingChange.Status.APPROVED
