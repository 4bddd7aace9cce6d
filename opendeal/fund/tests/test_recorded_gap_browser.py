"""In a real browser: an officer weights "answers a recorded gap" on a round, an applicant sees
which priority answers one, and the panel's and officers' pages say so. Every page visited is
checked with axe."""

import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import signed_in, visit
from opendeal.directory.models import TaxonomyTerm
from opendeal.fund import neighbourhoods
from opendeal.fund.models import Application, Priority, Round
from opendeal.fund.scoring import CriterionScore, record_scores

from .apply_factories import eligible_answers, make_open_round, make_organisation
from .decide_factories import make_application, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LSOA = "E01006212"


@pytest.fixture(autouse=True)
def _lsoa_names(monkeypatch):
    monkeypatch.setattr(neighbourhoods, "lsoa_names", lambda: {LSOA: "Wigan 026A"})


def gap_priority(round_: Round) -> Priority:
    term = TaxonomyTerm.objects.create(id=uuid.uuid4(), name="Befriending", description="")
    return Priority.objects.create(
        round=round_,
        title="Company for people who live alone",
        gap_taxonomy_term=term,
        gap_area_code=LSOA,
        position=5,
    )


def test_officer_sets_the_weight_and_panel_and_officer_see_the_gap(
    page, live_server, sign_in, make_user
):
    round_ = make_round(weights=("1", "1"))
    application = make_application(round_, title="Tea and company")
    application.priorities.set([gap_priority(round_)])
    officer = sign_in(make_user(Role.FUND_OFFICER, full_name="Olive Officer"))

    signed_in(page, live_server, officer)
    visit(page, f"/fund/manage/rounds/{round_.public_id}/edit/")
    page.get_by_label("Weight for answering a recorded gap").fill("-1")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a weight of 0 or more")
    assert_accessible(page)
    page.get_by_label("Weight for answering a recorded gap").fill("2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#recorded-gap-weight")).to_contain_text("2: an application whose")
    assert_accessible(page)

    panel_member = make_user(Role.PANEL_MEMBER, full_name="Pat Panel")
    criteria = list(round_.criteria.order_by("position"))
    application.refresh_from_db()
    record_scores(
        panel_member,
        application,
        {criteria[0].pk: CriterionScore(3), criteria[1].pk: CriterionScore(4)},
    )
    signed_in(page, live_server, sign_in(panel_member))
    visit(page, f"/fund/assess/applications/{application.public_id}/score/")
    expect(page.locator("#recorded-gap")).to_contain_text(
        "Yes — Befriending in Wigan 026A", use_inner_text=True
    )

    signed_in(page, live_server, officer)
    visit(page, f"/fund/assess/rounds/{round_.public_id}/moderation/")
    ranking = page.locator("#ranking")
    expect(ranking).to_contain_text("4.25")  # (3 + 4 + 2x5) / 4
    expect(ranking).to_contain_text("Yes — Befriending in Wigan 026A", use_inner_text=True)
    visit(page, f"/fund/assess/applications/{application.public_id}/decide/")
    expect(page.locator("#recorded-gap-row")).to_contain_text("Answers a recorded gap (2)")


def test_applicant_sees_which_priority_answers_a_gap(page, live_server, sign_in, make_user):
    applicant = make_user(Role.RESIDENT, full_name="Fictional Applicant")
    round_ = make_open_round()
    Round.objects.filter(pk=round_.pk).update(recorded_gap_weight=Decimal("1"))
    gap_priority(round_)
    client = sign_in(applicant)
    application = Application.objects.create(
        round=round_, organisation=make_organisation(applicant)
    )
    client.post(
        f"/fund/applications/{application.public_id}/eligibility/",
        {f"question_{pk}": "yes" if ok else "no" for pk, ok in eligible_answers(round_).items()},
    )

    signed_in(page, live_server, client)
    visit(page, f"/fund/applications/{application.public_id}/project/")
    checkbox = page.get_by_role("checkbox", name="Company for people who live alone")
    expect(checkbox).to_have_accessible_description(
        "Answers a recorded gap: Befriending in Wigan 026A"
    )
    # Priorities are checkboxes: an applicant may choose more than one.
    checkbox.check()
    page.get_by_role("checkbox", name="Healthy lives").check()
    expect(checkbox).to_be_checked()
