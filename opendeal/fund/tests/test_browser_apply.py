"""An applicant goes through the task list in a real browser: starts from the round's page,
checks eligibility, fills in the project and budget, uploads a document, checks the answers and
submits. Every page visited is checked with axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow
from opendeal.fund.models import Application, ApplicationStatus

from .apply_factories import PDF_BYTES, make_open_round, make_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_task_list_journey_from_round_to_submission(
    page, live_server, sign_in, make_user, tmp_path
):
    round_ = make_open_round()
    applicant = make_user(Role.RESIDENT, full_name="Robin Applicant")
    make_organisation(applicant)
    client = sign_in(applicant)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"/fund/funds/{round_.fund.slug}/{round_.slug}/")
    assert_accessible(page)
    follow(page.get_by_role("button", name="Start an application"))
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()

    # The task list: only eligibility can be started.
    expect(page.locator("h1")).to_have_text("Your application", use_inner_text=True)
    assert_accessible(page)
    expect(page.locator("#task-project-status")).to_have_text(
        "Cannot start yet", use_inner_text=True
    )
    follow(page.get_by_role("link", name="Check you can apply"))
    assert_accessible(page)
    page.get_by_role("group", name="Is your organisation not-for-profit?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Is the project for people outside the borough?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#task-eligibility-status")).to_have_text("Completed", use_inner_text=True)
    page.get_by_role("link", name="Your project", exact=True).click()
    page.get_by_label("Name of your project").fill("Park walks")
    page.get_by_label("Summary").fill("Weekly walks for people who live alone.")
    page.get_by_label("Healthy lives").check()
    page.get_by_label("Small: up to £2,000.00, 1 year").check()
    page.get_by_label("Amount you are asking for, in pounds").fill("2000.01")
    page.get_by_label("How many years will the project run?").fill("1")
    page.get_by_label("Postcode of where the project happens").fill("wn1 1aa")
    page.get_by_role("button", name="Save and continue").click()
    # Over the tier's maximum: a clear refusal in the error summary, linked to the field.
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert_accessible(page)
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="The most you can ask for from the Small tier is £2,000.00"
    ).click()
    page.get_by_label("Amount you are asking for, in pounds").fill("1500.50")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#task-project-status")).to_have_text("Completed", use_inner_text=True)
    follow(page.get_by_role("link", name="Questions about your project"))
    assert_accessible(page)
    page.get_by_label("What need will the project meet?").fill("Older people are lonely.")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Budget", exact=True).click()
    page.get_by_label("Year 1").check()
    page.get_by_label("What it pays for").fill("Walk leaders")
    page.get_by_label("Amount, in pounds").fill("1500.50")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#budget-total")).to_have_text("£1,500.50", use_inner_text=True)
    assert_accessible(page)
    page.get_by_role("link", name="Return to your application").click()

    page.get_by_role("link", name="Supporting documents").click()
    constitution = tmp_path / "constitution.pdf"
    constitution.write_bytes(PDF_BYTES)
    page.get_by_label("Constitution or governing document").check()
    page.get_by_label("Upload a file").set_input_files(str(constitution))
    page.get_by_role("button", name="Upload the document").click()
    expect(page.locator("#documents").get_by_role("link", name="constitution.pdf")).to_be_visible()
    assert_accessible(page)
    follow(page.get_by_role("link", name="Return to your application"))

    assert_accessible(page)
    follow(page.get_by_role("link", name="Check your answers and submit"))
    assert_accessible(page)
    page.get_by_role("button", name="Accept and submit").click()
    expect(page.locator(".govuk-panel__title")).to_have_text(
        "Application submitted", use_inner_text=True
    )
    assert_accessible(page)
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert [message.to for message in mail.outbox] == [[applicant.email]]
