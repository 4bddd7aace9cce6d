"""A round's workshops and network meetings as the fund officer sees them: each event's
attendance figures, and whether someone from each applicant came to one (issue 9)."""

import datetime
import html
import itertools
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from opendeal.core.roles import Role
from opendeal.events.models import EventKind, Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event
from opendeal.fund import round_events
from opendeal.fund.models import Application, ApplicationStatus, OrganisationMember

from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
_numbers = itertools.count(1)


def past_event(round_, *, day: int, kind: str = EventKind.WORKSHOP, **fields):
    """An event of the round held at 6pm on `day` March 2025, London time."""
    starts_at = datetime.datetime(2025, 3, day, 18, 0, tzinfo=LONDON)
    return make_event(
        fund_round=round_,
        kind=kind,
        starts_at=starts_at,
        registration_opens_at=starts_at - datetime.timedelta(days=30),
        registration_closes_at=starts_at - datetime.timedelta(hours=1),
        **fields,
    )


def register(event, *, status=RegistrationStatus.CONFIRMED, attended=None, email="", user=None):
    return Registration.objects.create(
        event=event,
        email=email or f"someone{next(_numbers)}@example.org",
        user=user,
        name="Someone",
        status=status,
        attended=attended,
    )


@pytest.fixture
def round_():
    return make_round()


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


# The figures ----------------------------------------------------------------------------------


def test_each_events_figures_are_exact_and_other_rounds_events_are_left_out(
    round_, django_assert_num_queries
):
    meeting = past_event(round_, day=10, kind=EventKind.NETWORK_MEETING, capacity=25)
    workshop = past_event(round_, day=3, capacity=12)
    other_round_event = past_event(make_round(), day=4)
    unlinked = past_event(None, day=5)
    for attended in (True, True, True, False, False, None):
        register(workshop, attended=attended)
    # Only confirmed places count: these hold no place, or no longer do.
    register(workshop, status=RegistrationStatus.PENDING_CONFIRMATION)
    register(workshop, status=RegistrationStatus.WAITLISTED)
    register(workshop, status=RegistrationStatus.CANCELLED)
    register(workshop, status=RegistrationStatus.EXPIRED)
    register(meeting, attended=True)
    for event in (other_round_event, unlinked):
        register(event, attended=True)
        register(event, attended=False)

    with django_assert_num_queries(1):
        rows = round_events.round_events(round_)

    assert [row.event for row in rows] == [workshop, meeting]
    first, second = rows
    assert (
        first.places,
        first.registered,
        first.attended,
        first.did_not_attend,
        first.not_recorded,
    ) == (12, 6, 3, 2, 1)
    assert (
        second.places,
        second.registered,
        second.attended,
        second.did_not_attend,
        second.not_recorded,
    ) == (25, 1, 1, 0, 0)


def test_a_round_without_events_has_no_rows(round_):
    past_event(make_round(), day=3)
    assert round_events.round_events(round_) == []


# Did someone from the applicant attend? -------------------------------------------------------


def test_an_applicant_is_matched_by_a_members_email_ignoring_case(round_, make_user):
    lead = make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")
    application = make_application(round_, organisation=make_organisation(member=lead))
    workshop = past_event(round_, day=3)
    register(workshop, email="LEAD@Group.Example.org", attended=True)

    found = round_events.applicant_attendance(round_, [application])[application.pk]

    assert found.attended
    assert found.events == (workshop,)
    assert found.description == "Attended the workshop on 3 March 2025"


def test_the_person_who_started_the_application_counts_too(round_, make_user):
    starter = make_user(Role.COMMUNITY_MEMBER, email="starter@example.org")
    application = make_application(round_)
    Application.objects.filter(pk=application.pk).update(created_by=starter)
    application.refresh_from_db()
    meeting = past_event(round_, day=12, kind=EventKind.NETWORK_MEETING)
    register(meeting, email="starter@example.org", attended=True)

    found = round_events.applicant_attendance(round_, [application])[application.pk]

    assert found.description == "Attended the network meeting on 12 March 2025"


def test_a_registration_made_with_a_members_account_counts_whatever_its_email(round_, make_user):
    lead = make_user(Role.COMMUNITY_MEMBER, email="new-address@group.example.org")
    application = make_application(round_, organisation=make_organisation(member=lead))
    workshop = past_event(round_, day=3)
    register(workshop, email="old-address@group.example.org", user=lead, attended=True)

    found = round_events.applicant_attendance(round_, [application])[application.pk]

    assert found.events == (workshop,)


def test_no_record_unless_someone_from_the_applicant_was_marked_attended_at_this_round(
    round_, make_user
):
    lead = make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")
    other = make_user(Role.COMMUNITY_MEMBER, email="other@elsewhere.example.org")
    application = make_application(round_, organisation=make_organisation(member=lead))
    make_application(round_, organisation=make_organisation(member=other))
    workshop = past_event(round_, day=3)
    later = past_event(round_, day=4)
    # Registered but did not come; not yet recorded; another organisation's member came; and
    # the applicant came to another round's event.
    register(workshop, email="lead@group.example.org", attended=False)
    register(later, email="lead@group.example.org", attended=None)
    register(workshop, email="other@elsewhere.example.org", attended=True)
    register(past_event(make_round(), day=5), email="lead@group.example.org", attended=True)

    found = round_events.applicant_attendance(round_, [application])[application.pk]

    assert not found.attended
    assert found.description == "No record of attending"


def test_several_applications_are_matched_in_a_fixed_number_of_queries(
    round_, make_user, django_assert_num_queries
):
    workshop = past_event(round_, day=3)
    meeting = past_event(round_, day=10, kind=EventKind.NETWORK_MEETING)
    applications = []
    for n in range(6):
        member = make_user(Role.COMMUNITY_MEMBER, email=f"member{n}@group{n}.example.org")
        organisation = make_organisation(member=member)
        applications.append(make_application(round_, organisation=organisation))
        if n % 2 == 0:
            register(workshop, email=member.email, attended=True)
    # The first organisation has a second member, who came to the meeting as well.
    second = make_user(Role.COMMUNITY_MEMBER, email="second@group0.example.org")
    OrganisationMember.objects.create(organisation=applications[0].organisation, user=second)
    register(meeting, email="second@group0.example.org", attended=True)
    # Someone who started an application without being a member: one query more, no matter
    # how many.
    starter = make_user(Role.COMMUNITY_MEMBER, email="starter@example.org")
    Application.objects.filter(pk=applications[1].pk).update(created_by=starter)
    applications[1].refresh_from_db()

    with django_assert_num_queries(3):
        found = round_events.applicant_attendance(round_, applications)

    assert [found[a.pk].events for a in applications] == [
        (workshop, meeting),
        (),
        (workshop,),
        (),
        (workshop,),
        (),
    ]
    assert found[applications[0].pk].description == (
        "Attended the workshop on 3 March 2025 and 1 other event"
    )


# The pages ------------------------------------------------------------------------------------


def test_the_officer_sees_the_rounds_events_and_who_attended(round_, officer, make_user, sign_in):
    lead = make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")
    make_application(round_, organisation=make_organisation(member=lead), title="Park walks")
    make_application(round_, title="Allotment club")
    make_application(round_, status=ApplicationStatus.DRAFT, title="Unfinished draft")
    workshop = past_event(round_, day=3, title="Pre-application workshop", capacity=30)
    register(workshop, email="lead@group.example.org", attended=True)
    register(workshop, attended=False)
    register(workshop)
    past_event(make_round(), day=4, title="Another round's workshop")

    response = sign_in(officer).get(reverse("fund:manage-round", args=[round_.public_id]))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Workshops and meetings for this round" in page
    assert "Pre-application workshop" in page
    assert "Another round's workshop" not in page
    row = page.split('id="round-events"')[1].split("</table>")[0]
    cells = [cell.strip() for cell in _cells(row.split("Pre-application workshop")[1])]
    assert cells[:6] == ["3 March 2025 at 6pm", "30", "3", "1", "1", "1"]
    assert f'href="{reverse("events:manage-event", args=[workshop.public_id])}"' in page
    add_url = f"{reverse('events:manage-create')}?fund_round={round_.public_id}"
    assert f'href="{add_url}"' in page
    applications = page.split("Submitted applications")[1]
    park = applications.split("Park walks")[1].split("</tr>")[0]
    allotment = applications.split("Allotment club")[1].split("</tr>")[0]
    assert "Attended the workshop on 3 March 2025" in park
    assert "No record of attending" in allotment
    assert "Unfinished draft" not in page


def test_a_round_without_events_says_so_and_offers_to_add_one(round_, officer, sign_in):
    make_application(round_, title="Park walks")
    page = html.unescape(
        sign_in(officer).get(reverse("fund:manage-round", args=[round_.public_id])).content.decode()
    )
    assert "No events are linked to this round yet." in page
    assert "Add an event for this round" in page
    assert "No record of attending" not in page


def test_panel_members_and_residents_cannot_see_the_officers_round_page(round_, make_user, sign_in):
    past_event(round_, day=3)
    url = reverse("fund:manage-round", args=[round_.public_id])
    assert Client().get(url).status_code == 302
    assert sign_in(make_user(Role.RESIDENT)).get(url).status_code == 403
    assert sign_in(make_user(Role.PANEL_MEMBER)).get(url).status_code == 403


def test_officers_deciding_see_attendance_and_panel_members_scoring_do_not(
    round_, officer, make_user, sign_in
):
    lead = make_user(Role.COMMUNITY_MEMBER, email="lead@group.example.org")
    application = make_application(round_, organisation=make_organisation(member=lead))
    register(past_event(round_, day=3), email="lead@group.example.org", attended=True)

    decide = sign_in(officer).get(reverse("fund:decide", args=[application.public_id]))
    assert decide.status_code == 200
    assert "Attended the workshop on 3 March 2025" in decide.content.decode()

    score = sign_in(make_user(Role.PANEL_MEMBER)).get(
        reverse("fund:score", args=[application.public_id])
    )
    assert score.status_code == 200
    assert "Attended the workshop" not in score.content.decode()
    assert "Workshops and meetings" not in score.content.decode()


def test_adding_an_event_from_the_round_starts_it_in_the_round(round_, officer, sign_in):
    url = f"{reverse('events:manage-create')}?fund_round={round_.public_id}"
    page = sign_in(officer).get(url).content.decode()
    option = page.split(f'value="{round_.public_id}"')[1].split(">")[0]
    assert "selected" in option
    # Without the parameter, no round is chosen.
    plain = sign_in(officer).get(reverse("events:manage-create")).content.decode()
    assert "selected" not in plain.split(f'value="{round_.public_id}"')[1].split(">")[0]


def _cells(fragment: str) -> list[str]:
    """The text of each <td> in an HTML fragment, in order."""
    parts = fragment.split('<td class="govuk-table__cell')[1:]
    return [part.split(">", 1)[1].split("</td>")[0] for part in parts]
