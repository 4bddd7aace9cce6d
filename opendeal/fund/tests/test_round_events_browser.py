"""In a real browser: the fund officer reads a round's workshop attendance, follows the link to
add another event for the round, and sees attendance when deciding. Every page visited is
checked with axe."""

import pytest
from playwright.sync_api import expect

from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import signed_in

from .decide_factories import make_application, make_organisation, make_round
from .test_round_events import past_event, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_reads_attendance_and_adds_an_event_for_the_round(
    page, live_server, sign_in, make_user
):
    round_ = make_round()
    lead = make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")
    application = make_application(
        round_, organisation=make_organisation(member=lead), title="Cook and eat together"
    )
    make_application(round_, title="Allotment club")
    workshop = past_event(round_, day=3, title="Pre-application workshop")
    register(workshop, email="lead@group.example.org", attended=True)
    register(workshop, attended=False)

    signed_in(page, live_server, sign_in(make_user(Role.FUND_OFFICER)))
    page.goto(f"/fund/manage/rounds/{round_.public_id}/")
    events = page.locator("#round-events")
    expect(events).to_contain_text("Pre-application workshop")
    expect(page.get_by_role("row", name="Cook and eat together")).to_contain_text(
        "Attended the workshop on 3 March 2025"
    )
    expect(page.get_by_role("row", name="Allotment club")).to_contain_text("No record of attending")
    assert_accessible(page)

    page.get_by_role("link", name="Add an event for this round").click()
    expect(page.get_by_label("Funding round")).to_have_value(str(round_.public_id))
    assert_accessible(page)

    page.goto(f"/fund/assess/applications/{application.public_id}/decide/")
    expect(page.locator("#decide-attendance")).to_contain_text(
        "Attended the workshop on 3 March 2025"
    )
    assert_accessible(page)
