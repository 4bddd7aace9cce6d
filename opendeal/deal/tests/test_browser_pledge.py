"""A resident pledges with an email address in a real browser, confirms it from the email, and
sees the totals go up by one; every page visited is checked with axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import visit

from .test_pledges import make_pledge, make_pledge_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pledge_by_email_confirm_and_see_the_totals_go_up(page):
    deal = make_pledge_deal()
    make_pledge(deal.walking, "already@example.org", district="WN1")
    walking_total = page.locator(f"#pledge-total-{deal.walking.public_id}")

    visit(page, "/deal/pledge/totals/")
    expect(page.locator("#total-pledges")).to_have_text("1", use_inner_text=True)
    expect(page.locator("#total-people")).to_have_text("1", use_inner_text=True)
    visit(page, "/deal/pledge/")
    expect(walking_total).to_have_text("1 person has pledged this", use_inner_text=True)
    # Nothing chosen: the error summary, which must be accessible too.
    page.get_by_role("button", name="Make my pledges").click()
    expect(page).to_have_title(re.compile(r"^Error: Make a pledge"))
    assert_accessible(page)
    expect(
        page.locator(".govuk-error-summary").get_by_role("link", name="Select at least one pledge")
    ).to_be_visible()

    page.get_by_label("Walk for 30 minutes a day").check()
    page.get_by_label("Email address").fill("Resident.One@Example.org")
    page.get_by_label("Postcode (optional)").fill("wn1 2ab")
    page.get_by_role("button", name="Make my pledges").click()

    expect(page.locator("h1")).to_have_text("Check your email", use_inner_text=True)
    assert_accessible(page)
    # Sent by the live server, which runs in a thread of this process.
    assert [message.to for message in mail.outbox] == [["resident.one@example.org"]]
    confirm_path = re.search(r"https?://[^/\s]+(/deal/pledge/confirm/\S+/)", mail.outbox[0].body)

    # Not counted until confirmed.
    visit(page, "/deal/pledge/")
    expect(walking_total).to_have_text("1 person has pledged this", use_inner_text=True)
    visit(page, confirm_path.group(1))
    expect(page.locator("h1")).to_have_text("Confirm your pledges", use_inner_text=True)
    page.get_by_role("button", name="Confirm your pledges").click()

    expect(page.locator(".govuk-panel__title")).to_have_text(
        "Thank you for your pledge", use_inner_text=True
    )
    assert_accessible(page)

    visit(page, "/deal/pledge/")
    expect(walking_total).to_have_text("2 people have pledged this", use_inner_text=True)
    visit(page, "/deal/pledge/totals/")
    expect(page.locator("#total-pledges")).to_have_text("2", use_inner_text=True)
    expect(page.locator("#total-people")).to_have_text("2", use_inner_text=True)
    walking_row = page.locator("#totals-by-pledge tr", has_text="Walk for 30 minutes a day")
    expect(walking_row.locator("td").last).to_have_text("2", use_inner_text=True)
    district_row = page.locator("#totals-by-district tr", has_text="WN1")
    expect(district_row.locator("td")).to_have_text("2", use_inner_text=True)
    expect(page.locator("svg[role=img]")).to_have_count(2)
