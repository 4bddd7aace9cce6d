"""In a real browser: a panel member scores an application, then a fund officer moderates and
awards it, reads the letter and publishes the project to the directory. Every page visited is
checked with axe."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow, signed_in, visit
from opendeal.fund.models import Grant, Score

from .decide_factories import make_application, make_organisation, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_score_then_moderate_and_award(page, live_server, sign_in, make_user):
    round_ = make_round(budget="12000.00")
    application = make_application(
        round_,
        title="Cook and eat together",
        amount="9950.00",
        organisation=make_organisation(name="Hindley Kitchen (fictional)"),
    )
    round_path = f"/fund/assess/rounds/{round_.public_id}/"

    # The panel member scores.
    signed_in(page, live_server, sign_in(make_user(Role.PANEL_MEMBER, full_name="Pat Panel")))
    visit(page, round_path)
    page.get_by_role("link", name="Cook and eat together", exact=True).click()
    page.wait_for_url(f"**/fund/assess/applications/{application.public_id}/score/")
    assert_accessible(page)
    page.get_by_role("button", name="Save your scores").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert not Score.objects.exists()
    for criterion, value in zip(round_.criteria.order_by("position"), [5, 4, 3], strict=True):
        page.get_by_label(f"{value} – {criterion.name} descriptor {value}").check()
    page.get_by_label("Comment on Reach (optional)").fill("Reaches families who eat alone.")
    page.get_by_role("button", name="Save your scores").click()
    page.wait_for_url(f"**{round_path}")
    assert (
        "Your scores for Cook and eat together are saved."
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert_accessible(page)
    assert sorted(Score.objects.values_list("score", flat=True)) == [3, 4, 5]

    # The officer moderates and awards.
    signed_in(page, live_server, sign_in(make_user(Role.FUND_OFFICER, full_name="Olive Officer")))
    visit(page, f"/fund/assess/rounds/{round_.public_id}/moderation/")
    ranking = page.locator("#ranking")
    assert "4.33" in ranking.inner_text()  # (3x5 + 2x4 + 1x3) / 6
    expect(page.locator("#budget-remaining")).to_have_text("£12,000.00", use_inner_text=True)
    ranking.get_by_role("link", name="Cook and eat together").click()
    page.wait_for_url(f"**/fund/assess/applications/{application.public_id}/decide/")
    assert_accessible(page)
    page.get_by_label("Award", exact=True).check()
    page.get_by_label("Reason").fill("Strong evidence of need.")
    page.get_by_role("textbox", name="Amount to award (£)").fill("12,000.01")
    page.get_by_role("button", name="Make the decision and send the letter").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert not Grant.objects.exists()
    page.get_by_role("textbox", name="Amount to award (£)").fill("9,950.00")
    page.get_by_role("button", name="Make the decision and send the letter").click()
    page.wait_for_url("**/letter/")
    assert_accessible(page)
    assert "awarded you £9,950.00" in page.locator("#letter").inner_text()
    grant = Grant.objects.get()
    assert grant.amount_awarded == Decimal("9950.00")

    page.get_by_role("link", name="Go to the grant").click()
    page.wait_for_url(f"**/fund/grants/{grant.public_id}/manage/")
    assert_accessible(page)
    assert "£1,650.00" in page.locator("#payments").inner_text()
    follow(page.get_by_role("link", name="Publish the project as a service in the directory"))
    assert_accessible(page)
    page.get_by_role("button", name="Publish to the directory").click()
    page.wait_for_url(f"**/fund/grants/{grant.public_id}/manage/")
    assert "Listed as" in page.locator("#directory").inner_text()
    assert_accessible(page)
