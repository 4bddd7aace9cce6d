"""A grant's page shows the people care practitioners connected to its project's directory
service since the award, how many took part and their change in wellbeing (issue 9): exact
for fund officers, "fewer than 5" on the public page and for the funded organisation."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from opendeal.care.models import Connection, ConnectionStatus, Person, Team
from opendeal.care.tests.demand_factories import swemwbs
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.directory.models import Service
from opendeal.fund import awarded, directory_listing
from opendeal.fund.models import Grant, OrganisationMember

from .publish_factories import make_grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
AWARDED_ON = TODAY - datetime.timedelta(days=100)
PLANNED_END = AWARDED_ON + datetime.timedelta(days=28 + 364)
SUPPRESSED = "fewer than 5"


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


@pytest.fixture
def team():
    return Team.objects.create(name="Wigan North (fictional)")


@pytest.fixture
def grant(officer) -> Grant:
    grant = make_grant(
        title="Walk and talk",
        awarded_on=AWARDED_ON,
        planned_start=AWARDED_ON + datetime.timedelta(days=28),
        planned_end=PLANNED_END,
    )
    directory_listing.publish_to_directory(officer, grant)
    grant.refresh_from_db()
    return grant


def _connect(
    team: Team,
    service_id: uuid.UUID,
    made_on: datetime.date,
    *,
    attended: bool = False,
    wellbeing: tuple[str, str] | None = None,
    status: str = ConnectionStatus.CONTACTED,
    name: str = "Fictional",
) -> Person:
    """A person connected to the service on `made_on`; `wellbeing` is their SWEMWBS metric
    score before the connection and after it."""
    person = Person.objects.create(
        team=team, given_name=name, family_name="Testperson", is_fictional=True
    )
    first_attended = made_on + datetime.timedelta(days=7) if attended else None
    Connection.objects.create(
        person=person,
        service_id=service_id,
        status=ConnectionStatus.ATTENDED if attended else status,
        made_on=made_on,
        status_changed_on=first_attended or made_on,
        first_attended_on=first_attended,
    )
    if wellbeing is not None:
        before, after = wellbeing
        swemwbs(person, made_on - datetime.timedelta(days=3), before)
        swemwbs(person, made_on + datetime.timedelta(days=30), after)
    return person


def _care_rows(html: str) -> dict[str, str]:
    """The care outcomes summary list on a page, key to value, tags and spaces squeezed."""
    start = html.index('id="care-outcomes"')
    block = html[start : html.index("</dl>", start)]
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.DOTALL)
    return {key.strip(): " ".join(re.sub(r"<[^>]+>", "", value).split()) for key, value in pairs}


def _public_page(client, grant: Grant) -> str:
    response = client.get(reverse("fund:awarded-grant", args=[grant.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _staff_page(client, grant: Grant) -> str:
    response = client.get(reverse("fund:grant", args=[grant.public_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def six_people(grant, team) -> list[Person]:
    """Six people connected since the award (one on the day itself), four of whom went, each
    with a wellbeing change: +2, +3, +4, +1, +5 and -0.5 (mean 2.42). Around them, people who
    must not count: connected the day before the award, declined, and to another service."""
    service_id = grant.directory_service_id
    changes = [
        ("15.00", "17.00"),
        ("16.00", "19.00"),
        ("14.00", "18.00"),
        ("20.00", "21.00"),
        ("12.00", "17.00"),
        ("22.00", "21.50"),
    ]
    people = [
        _connect(
            team,
            service_id,
            AWARDED_ON if number == 0 else AWARDED_ON + datetime.timedelta(days=10 + number),
            attended=number < 4,
            wellbeing=change,
            name=f"Connected{number}",
        )
        for number, change in enumerate(changes)
    ]
    _connect(
        team,
        service_id,
        AWARDED_ON - datetime.timedelta(days=1),
        attended=True,
        wellbeing=("7.00", "35.00"),
        name="Beforeaward",
    )
    _connect(
        team,
        service_id,
        AWARDED_ON + datetime.timedelta(days=5),
        status=ConnectionStatus.DECLINED,
        wellbeing=("7.00", "35.00"),
        name="Declined",
    )
    elsewhere = Service.objects.create(
        id=uuid.uuid4(), name="Another club", description="Not this grant's", status="active"
    )
    _connect(
        team,
        elsewhere.id,
        AWARDED_ON + datetime.timedelta(days=5),
        attended=True,
        wellbeing=("7.00", "35.00"),
        name="Elsewhere",
    )
    return people


def test_a_grants_care_outcomes_count_only_its_service_since_the_award(grant, six_people):
    outcomes = awarded.grant_care_outcomes(grant)

    assert outcomes == awarded.CareOutcomes(
        since=AWARDED_ON,
        until=PLANNED_END,
        people_connected=6,
        people_attended=4,
        people_with_wellbeing=6,
        mean_wellbeing_change=Decimal("2.42"),
    )


def test_the_public_page_shows_counts_of_5_or_more_and_hides_smaller_ones(
    client, grant, six_people
):
    html = _public_page(client, grant)

    assert _care_rows(html) == {
        "People connected": "6",
        "People who took part": SUPPRESSED,
        "Wellbeing change": "+2.42 points on average on the SWEMWBS scale, from 6 people who "
        "answered before and after being connected",
    }
    assert f"Counted from the award on {AWARDED_ON:%-d %B %Y}" in html
    for person in six_people:
        assert person.given_name not in html


def test_a_fund_officer_sees_exact_counts_but_no_names(sign_in, officer, grant, team, six_people):
    Connection.objects.filter(person__in=six_people[3:]).delete()

    html = _staff_page(sign_in(officer), grant)

    assert _care_rows(html) == {
        "People connected": "3",
        "People who took part": "3",
        "Wellbeing change": "+3.00 points on average on the SWEMWBS scale, from 3 people who "
        "answered before and after being connected",
    }
    assert "Testperson" not in html


def test_small_numbers_are_hidden_on_the_public_page_and_from_the_funded_group(
    client, sign_in, make_user, grant, team
):
    _connect(team, grant.directory_service_id, TODAY, attended=True, wellbeing=("15.00", "30.00"))
    _connect(team, grant.directory_service_id, TODAY)
    member = make_user(Role.COMMUNITY_MEMBER)
    OrganisationMember.objects.create(organisation=grant.application.organisation, user=member)
    hidden = {
        "People connected": SUPPRESSED,
        "People who took part": SUPPRESSED,
        "Wellbeing change": "Not shown: fewer than 5 people have answered the wellbeing "
        "questions before and after being connected",
    }

    public = _public_page(client, grant)
    assert _care_rows(public) == hidden
    assert "+15.00" not in public
    assert _care_rows(_staff_page(sign_in(member), grant)) == hidden
    # Exactly: two connected, one went, and that one's own change is the mean.
    assert awarded.grant_care_outcomes(grant) == awarded.CareOutcomes(
        since=AWARDED_ON,
        until=PLANNED_END,
        people_connected=2,
        people_attended=1,
        people_with_wellbeing=1,
        mean_wellbeing_change=Decimal("15.00"),
    )


def test_a_fund_officer_sees_when_no_one_has_wellbeing_answers_yet(sign_in, officer, grant, team):
    _connect(team, grant.directory_service_id, TODAY)

    assert _care_rows(_staff_page(sign_in(officer), grant)) == {
        "People connected": "1",
        "People who took part": "0",
        "Wellbeing change": "No one has answered the wellbeing questions before and after "
        "being connected yet",
    }


def test_people_connected_after_the_planned_end_do_not_count_for_the_grant(sign_in, officer, team):
    ended_on = TODAY - datetime.timedelta(days=30)
    grant = make_grant(
        title="Ended",
        awarded_on=ended_on - datetime.timedelta(days=400),
        planned_start=ended_on - datetime.timedelta(days=364),
        planned_end=ended_on,
    )
    directory_listing.publish_to_directory(officer, grant)
    grant.refresh_from_db()
    _connect(team, grant.directory_service_id, ended_on, attended=True, name="Lastday")
    _connect(team, grant.directory_service_id, ended_on + datetime.timedelta(days=1))

    outcomes = awarded.grant_care_outcomes(grant)

    assert (outcomes.people_connected, outcomes.people_attended) == (1, 1)
    assert outcomes.until == ended_on
    html = _staff_page(sign_in(officer), grant)
    assert f"to the grant’s planned end on {ended_on:%-d %B %Y}, so these figures are final" in html


def test_a_grant_not_in_the_directory_says_so(client, sign_in, officer):
    grant = make_grant(title="Not listed yet", awarded_on=AWARDED_ON)

    assert awarded.grant_care_outcomes(grant) is None
    assert awarded.care_figures(None, exact=True) is None
    message = "The project is not yet a service in the community directory"
    public = _public_page(client, grant)
    staff = _staff_page(sign_in(officer), grant)
    for html in (public, staff):
        assert message in html
        assert "People who took part" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_both_grant_pages_in_a_browser(page, live_server, sign_in, officer, grant, six_people):
    page.goto(reverse("fund:awarded-grant", args=[grant.public_id]))
    assert_accessible(page)
    care = page.locator("#care-outcomes")
    expect(care).to_contain_text("People who took part")
    expect(care).to_contain_text(SUPPRESSED)

    client = sign_in(officer)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(reverse("fund:grant", args=[grant.public_id]))
    assert_accessible(page)
    expect(
        page.get_by_role("heading", name="People connected by care practitioners")
    ).to_be_visible()
    expect(care).to_contain_text("from 6 people")
    expect(care).not_to_contain_text(SUPPRESSED)
