"""A manager reads the demand figures, and a fund officer turns a gap into a round's priority,
in a real browser; every page is checked with axe, and the gap map is drawn."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from opendeal.care.models import Team
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import signed_in
from opendeal.fund.models import Priority
from opendeal.fund.tests.apply_factories import make_open_round

from . import demand_factories as make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demand_figures_and_gaps_into_priorities(page, live_server, sign_in, make_user):
    team = Team.objects.create(name="Wigan Central")
    gardening = make.term("Gardening")
    today = datetime.date.today()
    for n in range(7):
        someone = make.person(team, "E01006212", "E05014989")
        conversation = make.contact(someone, today - datetime.timedelta(days=n * 20))
        make.heard(conversation, gardening)
        make.package(someone, "250.00", today - datetime.timedelta(days=n * 30))
    manager = make_user(Role.TEAM_MANAGER)
    team.managers.add(manager)

    signed_in(page, live_server, sign_in(manager))
    page.goto(live_server.url + "/care/demand/")
    expect(page.locator("h1")).to_have_text("Demand for adult social care", use_inner_text=True)
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Whose figures").select_option(label="Wigan Central")
    page.get_by_label("Compare before and after").fill(
        (today - datetime.timedelta(days=90)).isoformat()
    )
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_role("heading", name="Cost avoided")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("From").fill("not a date")
    page.get_by_role("button", name="Show the figures").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    round_ = make_open_round()
    signed_in(page, live_server, sign_in(make_user(Role.FUND_OFFICER)))
    page.goto(live_server.url + "/care/demand/gaps/")
    page.locator("[data-map-ready=true]").wait_for(timeout=10_000)
    assert_accessible(page)
    page.get_by_label("Gardening in Wigan 026A").check()
    page.get_by_label("Fund round").select_option(label=str(round_))
    page.get_by_role("button", name="Add the ticked gaps as priorities").click()
    expect(page.get_by_text("Added 1 priority")).to_be_visible()
    assert_accessible(page)
    priority = Priority.objects.get(gap_taxonomy_term=gardening)
    assert priority.gap_area_code == "E01006212" and priority.round == round_
