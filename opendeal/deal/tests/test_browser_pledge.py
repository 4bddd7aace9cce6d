"""A resident pledges with an email address in a real browser, confirms it from the email, and
sees the totals go up by one; every page visited is checked with axe."""

import re

import pytest
from django.core import mail

from opendeal.core.testing.axe import assert_accessible

from .test_pledges import make_pledge, make_pledge_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit(page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def test_pledge_by_email_confirm_and_see_the_totals_go_up(page):
    deal = make_pledge_deal()
    make_pledge(deal.walking, "already@example.org", district="WN1")
    walking_total = page.locator(f"#pledge-total-{deal.walking.public_id}")

    visit(page, "/deal/pledge/totals/")
    assert page.locator("#total-pledges").inner_text() == "1"
    assert page.locator("#total-people").inner_text() == "1"

    visit(page, "/deal/pledge/")
    assert walking_total.inner_text() == "1 person has pledged this"

    # Nothing chosen: the error summary, which must be accessible too.
    page.get_by_role("button", name="Make my pledges").click()
    assert page.title().startswith("Error: Make a pledge")
    assert_accessible(page)
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Select at least one pledge")
        .is_visible()
    )

    page.get_by_label("Walk for 30 minutes a day").check()
    page.get_by_label("Email address").fill("Resident.One@Example.org")
    page.get_by_label("Postcode (optional)").fill("wn1 2ab")
    page.get_by_role("button", name="Make my pledges").click()

    assert page.locator("h1").inner_text() == "Check your email"
    assert_accessible(page)
    # Sent by the live server, which runs in a thread of this process.
    assert [message.to for message in mail.outbox] == [["resident.one@example.org"]]
    confirm_path = re.search(r"https?://[^/\s]+(/deal/pledge/confirm/\S+/)", mail.outbox[0].body)

    # Not counted until confirmed.
    visit(page, "/deal/pledge/")
    assert walking_total.inner_text() == "1 person has pledged this"

    visit(page, confirm_path.group(1))
    assert page.locator("h1").inner_text() == "Confirm your pledges"
    page.get_by_role("button", name="Confirm your pledges").click()

    assert page.locator(".govuk-panel__title").inner_text() == "Thank you for your pledge"
    assert_accessible(page)

    visit(page, "/deal/pledge/")
    assert walking_total.inner_text() == "2 people have pledged this"

    visit(page, "/deal/pledge/totals/")
    assert page.locator("#total-pledges").inner_text() == "2"
    assert page.locator("#total-people").inner_text() == "2"
    walking_row = page.locator("#totals-by-pledge tr", has_text="Walk for 30 minutes a day")
    assert walking_row.locator("td").last.inner_text() == "2"
    district_row = page.locator("#totals-by-district tr", has_text="WN1")
    assert district_row.locator("td").inner_text() == "2"
    assert page.locator("svg[role=img]").count() == 2
