"""Issue 9's proof: the whole loop walked in a real browser by the demo borough's own accounts,
each role signing in through the sign-in pages (staff with their authenticator code), each
hand-over checked on the page the next role sees, and every page visited checked with axe.

1. The practitioner records a conversation with Margaret Ashworth (fictional, Pemberton) and
   tags a need, Goods, that no active service offers within 1.5 km of her small area.
2. The fund officer sees that gap on the gap map and makes it a priority of the open round,
   weights "answers a recorded gap" in the round's scoring, and sees the round's pre-application
   workshop and webinar (events linked to the round) with their attendance.
3. The community organisation's member applies to the round for Pemberton Pals (fictional),
   choosing that priority, and submits.
4. The officer finds it eligible, the panel member scores it (seeing that it answers the
   recorded gap, counted automatically), the officer awards it and publishes the project as a
   directory service in one step, the gap's term already ticked.
5. The gap is gone from the gap map; the practitioner sees the new service among those matching
   Margaret and connects her to it; the grant's page counts her.
6. A resident (anyone: the pages need no account) reads the grant's public page, follows it to
   the new service's listing, and finds the service by searching the directory too.

Setup: the demo borough is loaded with `opendeal demo`'s own loaders (core/management/commands/
demo.py), in the same order, except the observatory: it is not part of the loop and alone takes
about 12 s here, more than all the others together (6 to 14 s, measured). The open round's
dates allow every step as it is, so nothing is moved by the ORM; the ORM is only read, to find
the demo's records and to confirm what the pages showed was stored.
"""

import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from opendeal.care.demo import load_demo_care
from opendeal.care.demo_loop import load_demo_funded_connections, load_demo_gap_people
from opendeal.care.gaps import DEFAULT_DISTANCE_METRES, find_gaps
from opendeal.care.models import Connection, HeardNeed, Person
from opendeal.core.demo import DEMO_PASSWORD, demo_email, load_demo_accounts
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow, visit
from opendeal.deal.demo import load_demo_deal
from opendeal.directory.demo import demo_id, load_demo_directory
from opendeal.directory.models import Attribute, Service
from opendeal.events.demo import load_demo_events
from opendeal.fund import neighbourhoods
from opendeal.fund.demo import OPEN_ROUND_SLUG, load_demo_fund
from opendeal.fund.demo_awards import load_demo_awards
from opendeal.fund.models import Application, ApplicationStatus, Grant, Priority, Round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSON = "Margaret Ashworth – fictional"
POSTCODE = "WN5 9RN"  # hers, and Pemberton Pals'
TERM_KEY = "goods"
TERM = "Goods"
ORGANISATION = "Pemberton Pals (fictional)"
PROJECT = "Pemberton swap shop"
AMOUNT = "500.00"  # what the draft's budget already adds up to


def load_demo_borough() -> None:
    """`opendeal demo` without the observatory (see the module's docstring)."""
    log = io.StringIO()
    load_demo_accounts()
    load_demo_deal(log=log)
    load_demo_events()
    load_demo_directory()
    load_demo_care()
    load_demo_gap_people()
    load_demo_fund()
    load_demo_awards()
    load_demo_funded_connections()


@pytest.fixture
def sign_in_as(browser, live_server) -> Iterator[Callable[[Role], Page]]:
    """A page in a browser context of its own, signed in through the sign-in pages as the demo
    account of the role; staff type the current code of their demo authenticator."""
    contexts = []

    def sign_in(role: Role) -> Page:
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        visit(page, "/account/sign-in/")
        page.get_by_label("Email address").fill(demo_email(role))
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        user = User.objects.get(email=demo_email(role))
        if user.needs_two_factor:
            expect(page).to_have_url(re.compile(re.escape("/account/two-factor/") + "$"))
            assert_accessible(page)
            device = user.totpdevice_set.get(confirmed=True)
            page.get_by_label("Enter the code from your authenticator app").fill(
                f"{totp(device.bin_key):06d}"
            )
            page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(re.escape("/account/") + "$"))
        assert_accessible(page)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def gap_checkbox(page: Page, area_name: str):
    return page.get_by_label(f"{TERM} in {area_name}", exact=True)


def test_the_loop_across_roles_on_the_demo_borough(page, live_server, sign_in_as):
    load_demo_borough()
    margaret = Person.objects.get(given_name="Margaret", family_name="Ashworth")
    assert margaret.postcode == POSTCODE
    area = margaret.lsoa21_code
    area_name = neighbourhoods.lsoa_names()[area]
    goods = demo_id("term", TERM_KEY)
    open_round = Round.objects.get(slug=OPEN_ROUND_SLUG)
    # Before the walk: Goods is not a gap in her area, and no service offers it nearby.
    gap_key = f"{goods}:{area}"
    assert gap_key not in {gap.key for gap in find_gaps(DEFAULT_DISTANCE_METRES)}
    assert not HeardNeed.objects.filter(taxonomy_term_id=goods, lsoa21_code=area).exists()

    officer = sign_in_as(Role.FUND_OFFICER)
    visit(officer, "/care/demand/gaps/")
    expect(officer.locator("h1")).to_be_visible()
    expect(gap_checkbox(officer, area_name)).to_have_count(0)

    # 1. The practitioner hears a need and tags it with the directory's term.
    practitioner = sign_in_as(Role.PRACTITIONER)
    visit(practitioner, "/care/")
    practitioner.get_by_role("link", name=PERSON).click()
    expect(practitioner.locator("h1")).to_have_text(PERSON, use_inner_text=True)
    assert_accessible(practitioner)
    practitioner.get_by_role("link", name="Record a conversation").click()
    expect(practitioner.get_by_role("button", name="Save the conversation")).to_be_visible()
    assert_accessible(practitioner)
    practitioner.get_by_label("Conversation 1: listen and connect").check()
    practitioner.get_by_label("In person").check()
    practitioner.get_by_label("What are they good at, and what is going well?").fill(
        "Mends and alters clothes; knows everyone on the estate."
    )
    practitioner.get_by_label("What matters to them?").fill("A warm coat for the winter.")
    practitioner.get_by_label("What would they like help with?").fill(
        "Second-hand winter clothes and a chair she can get up from; nowhere nearby has them."
    )
    practitioner.get_by_role("group", name="Needs heard").get_by_label(TERM, exact=True).check()
    practitioner.get_by_label("Information and advice").check()
    practitioner.get_by_role("button", name="Save the conversation").click()
    expect(practitioner.locator("h1")).to_have_text(re.compile("^Conversation of"))
    assert_accessible(practitioner)
    heard = HeardNeed.objects.get(taxonomy_term_id=goods, person=margaret)
    assert heard.lsoa21_code == area

    # 2. The officer sees the gap in her neighbourhood and makes it a priority in one step.
    visit(officer, "/care/demand/gaps/")
    officer.locator("[data-map-ready=true]").wait_for(timeout=30_000)
    assert_accessible(officer)
    gap_checkbox(officer, area_name).check()
    officer.get_by_label("Fund round").select_option(label=str(open_round))
    officer.get_by_role("button", name="Add the ticked gaps as priorities").click()
    expect(officer.get_by_text("Added 1 priority")).to_be_visible()
    assert_accessible(officer)
    priority = Priority.objects.get(round=open_round, gap_taxonomy_term_id=goods)
    assert priority.gap_area_code == area
    assert priority.title == f"{TERM} in {area_name}"
    # The officer weights "answers a recorded gap" in the round's scoring…
    visit(officer, f"/fund/manage/rounds/{open_round.public_id}/edit/")
    officer.get_by_label("Weight for answering a recorded gap").fill("2")
    officer.get_by_role("button", name="Save").click()
    expect(officer.locator("#recorded-gap-weight")).to_contain_text("2")
    assert_accessible(officer)
    # …and sees the round's workshop and webinar, with their attendance.
    events = officer.locator("#round-events")
    expect(events).to_contain_text("Community investment fund: pre-application workshop")
    expect(events).to_contain_text("Applying to the fund online: a webinar")
    open_round.refresh_from_db()
    assert open_round.recorded_gap_weight == Decimal("2")

    # 3. The applicant carries on Pemberton Pals' draft for the round, choosing the gap.
    applicant = sign_in_as(Role.COMMUNITY_MEMBER)
    visit(applicant, f"/fund/funds/{open_round.fund.slug}/{open_round.slug}/")
    follow(applicant.get_by_role("button", name="Start an application"))
    assert_accessible(applicant)
    applicant.get_by_label(ORGANISATION).check()
    applicant.get_by_role("button", name="Start").click()
    # The organisation's draft for the round (made by the demo) opens at its task list.
    expect(applicant.locator("h1")).to_have_text("Pemberton digital drop-in", use_inner_text=True)
    assert_accessible(applicant)
    follow(applicant.get_by_role("link", name="Your project", exact=True))
    assert_accessible(applicant)
    applicant.get_by_label("Name of your project").fill(PROJECT)
    applicant.get_by_label("Summary").fill(
        "A weekly swap shop for winter clothes, furniture and household goods."
    )
    priorities = applicant.get_by_role("group", name=re.compile("priorit", re.IGNORECASE))
    for box in priorities.get_by_role("checkbox").all():
        box.uncheck()
    # The hand-over: the gap is offered to the applicant as one of the round's priorities.
    priorities.get_by_label(priority.title, exact=True).check()
    applicant.get_by_label("Small: up to £2,000.00, 1 year").check()
    applicant.get_by_label("Amount you are asking for, in pounds").fill(AMOUNT)
    applicant.get_by_label("How many years will the project run?").fill("1")
    applicant.get_by_label("Postcode of where the project happens").fill(POSTCODE)
    applicant.get_by_role("button", name="Save and continue").click()
    expect(applicant.locator("#task-project-status")).to_have_text("Completed", use_inner_text=True)
    assert_accessible(applicant)
    applicant.get_by_role("link", name="Check your answers and submit").click()
    expect(applicant.get_by_text(priority.title, exact=True)).to_be_visible()
    assert_accessible(applicant)
    applicant.get_by_role("button", name="Accept and submit").click()
    expect(applicant.locator(".govuk-panel__title")).to_have_text(
        "Application submitted", use_inner_text=True
    )
    assert_accessible(applicant)
    application = Application.objects.get(round=open_round, project_title=PROJECT)
    assert application.status == ApplicationStatus.SUBMITTED
    assert list(application.priorities.all()) == [priority]

    # 4a. The officer finds it eligible.
    visit(officer, "/fund/assess/")
    officer.get_by_role("link", name=str(open_round)).click()
    expect(officer.get_by_role("link", name=PROJECT)).to_be_visible()
    assert_accessible(officer)
    assessment_round_url = officer.url
    officer.get_by_role("link", name=PROJECT).click()
    expect(officer.get_by_text(priority.title).first).to_be_visible()
    assert_accessible(officer)
    officer.get_by_label("Eligible", exact=True).check()
    officer.get_by_label("Reason").fill("Not-for-profit, in the borough, meets a recorded gap.")
    officer.get_by_role("button", name="Save the eligibility check").click()
    expect(officer).to_have_url(assessment_round_url)
    assert_accessible(officer)

    # 4b. The panel member scores it, seeing the gap among its priorities.
    panel = sign_in_as(Role.PANEL_MEMBER)
    visit(panel, "/fund/assess/")
    follow(panel.get_by_role("link", name=str(open_round)))
    assert_accessible(panel)
    panel.get_by_role("link", name=PROJECT, exact=True).click()
    expect(panel.locator("h1")).to_have_text(PROJECT, use_inner_text=True)
    expect(panel.get_by_text(priority.title).first).to_be_visible()
    expect(panel.locator("#recorded-gap")).to_contain_text(f"Yes — {priority.title}")
    expect(panel.locator("#recorded-gap")).to_contain_text("Counted automatically as 5 out of 5")
    assert_accessible(panel)
    for criterion in open_round.criteria.order_by("position"):
        panel.get_by_role("group", name=re.compile(f"^{re.escape(criterion.name)} ")).get_by_label(
            re.compile("^4 – ")
        ).check()
    panel.get_by_role("button", name="Save your scores").click()
    expect(panel.locator(".govuk-notification-banner")).to_contain_text(
        f"Your scores for {PROJECT} are saved."
    )
    assert_accessible(panel)

    # 4c. The officer moderates, awards, and publishes the project to the directory.
    visit(officer, assessment_round_url)
    officer.get_by_role("link", name=re.compile("^Moderation")).click()
    ranking = officer.locator("#ranking")
    expect(ranking.get_by_role("link", name=PROJECT)).to_be_visible()
    project_row = ranking.get_by_role("row").filter(has_text=PROJECT)
    expect(project_row).to_contain_text(f"Yes — {priority.title}")
    # Four on every criterion, and 5 on the gap with weight 2: above the panel's own 4.
    weights = [c.weight for c in open_round.criteria.all()]
    expected = (4 * sum(weights) + 5 * 2) / (sum(weights) + 2)
    expect(project_row).to_contain_text(f"{expected:.2f}")
    assert_accessible(officer)
    ranking.get_by_role("link", name=PROJECT).click()
    expect(officer.get_by_label("Award", exact=True)).to_be_visible()
    assert_accessible(officer)
    officer.get_by_label("Award", exact=True).check()
    officer.get_by_label("Reason").fill("Answers a gap practitioners recorded in Pemberton.")
    officer.get_by_role("textbox", name="Amount to award (£)").fill(AMOUNT)
    officer.get_by_role("button", name="Make the decision and send the letter").click()
    expect(officer.locator("#letter")).to_contain_text("awarded you £500.00")
    assert_accessible(officer)
    grant = Grant.objects.get(application=application)
    assert grant.amount_awarded == Decimal(AMOUNT)
    officer.get_by_role("link", name="Go to the grant").click()
    expect(officer.locator("h1")).to_be_visible()
    assert_accessible(officer)
    follow(officer.get_by_role("link", name="Publish the project as a service in the directory"))
    assert_accessible(officer)
    # The gap's term is already ticked, so the listing closes the gap.
    expect(
        officer.get_by_role("group", name="Taxonomy terms for the service").get_by_label(
            TERM, exact=True
        )
    ).to_be_checked()
    officer.get_by_role("button", name="Publish to the directory").click()
    expect(officer.locator("#directory")).to_contain_text("Listed as")
    assert_accessible(officer)
    grant.refresh_from_db()
    service = Service.objects.get(id=grant.directory_service_id)
    assert Attribute.objects.filter(link_id=service.id, taxonomy_term_id=goods).exists()

    # 5. The gap has closed on the gap map…
    visit(officer, "/care/demand/gaps/")
    officer.locator("[data-map-ready=true]").wait_for(timeout=30_000)
    expect(gap_checkbox(officer, area_name)).to_have_count(0)
    assert gap_key not in {gap.key for gap in find_gaps(DEFAULT_DISTANCE_METRES)}
    # …and the practitioner finds the new service matching Margaret and connects her.
    visit(practitioner, "/care/")
    practitioner.get_by_role("link", name="New and updated services that match your people").click()
    connect = practitioner.get_by_role("button", name=f"Connect {PERSON} to {PROJECT}")
    expect(connect).to_be_visible()
    assert_accessible(practitioner)
    connect.click()
    expect(practitioner.locator(".govuk-notification-banner")).to_contain_text(
        f"is connected to {PROJECT}"
    )
    assert_accessible(practitioner)
    assert Connection.objects.filter(person=margaret, service=service).count() == 1
    # The connection is counted against the grant, on the officer's grant page.
    visit(officer, f"/fund/grants/{grant.public_id}/manage/")
    expect(
        officer.locator("#care-outcomes .govuk-summary-list__row").filter(
            has_text="People connected"
        )
    ).to_contain_text("1")

    # 6. A resident reads the grant's public page and finds the new service in the directory.
    resident = page
    visit(resident, "/fund/awarded/")
    resident.get_by_role("link", name=PROJECT).click()
    expect(resident.locator("h1")).to_have_text(PROJECT, use_inner_text=True)
    main = resident.locator("main")
    expect(main).to_contain_text(ORGANISATION)
    expect(main).to_contain_text("£500.00")
    expect(main).to_contain_text(priority.title)
    # Fewer than five people connected so far: the public page does not give the number.
    expect(resident.locator("#care-outcomes")).to_contain_text("fewer than 5")
    assert_accessible(resident)
    resident.locator("#directory-listing").click()
    expect(resident.locator("h1")).to_have_text(PROJECT, use_inner_text=True)
    assert_accessible(resident)
    visit(resident, "/directory/")
    resident.get_by_label("Postcode", exact=True).fill(POSTCODE)
    resident.get_by_label("Category").select_option(label=TERM)
    resident.get_by_role("button", name="Search", exact=True).click()
    expect(resident.get_by_role("link", name=PROJECT)).to_be_visible()
    assert_accessible(resident)
    resident.get_by_role("link", name=PROJECT).click()
    expect(resident.locator("h1")).to_have_text(PROJECT, use_inner_text=True)
    expect(resident.locator("main")).to_contain_text(ORGANISATION)
    assert_accessible(resident)
