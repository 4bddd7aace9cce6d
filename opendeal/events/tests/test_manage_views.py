"""The staff events pages: who may open them, editing through forms, who registered (audited),
the check-in list with attendance marking, and the attendance figures."""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow
from opendeal.events.models import Event, Question, Registration, RegistrationStatus
from opendeal.events.tests.factories import make_event

REGISTRANTS_VIEWED = "events.registrations.viewed"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response) -> str:
    return re.search(r"<main .*</main>", text_of(response)).group(0)


@dataclass
class Sample:
    event: Event
    access: Question
    dietary: Question
    confirmed: list[Registration]
    waitlisted: Registration


def add_registration(event: Event, name: str, status: str, **fields) -> Registration:
    email = fields.pop("email", f"{name.split()[0].lower()}@example.org")
    return Registration.objects.create(event=event, name=name, email=email, status=status, **fields)


def build_sample() -> Sample:
    """An event with two questions, three confirmed places (one not yet confirmed by email is
    pending, so not on the check-in list), one cancelled and one on the waiting list."""
    event = make_event(
        title="Fund workshop",
        capacity=4,
        questions=[("Access needs", False), ("Dietary needs", True)],
    )
    access, dietary = event.questions.all()
    resident_type, organisation_type = event.registration_types.all()
    confirmed = [
        add_registration(
            event,
            "Zara Patel",
            RegistrationStatus.CONFIRMED,
            registration_type=organisation_type,
            answers={str(dietary.public_id): "Vegan"},
        ),
        add_registration(
            event,
            "Ann Lee",
            RegistrationStatus.CONFIRMED,
            registration_type=resident_type,
            answers={str(access.public_id): "Step-free access", str(dietary.public_id): "None"},
        ),
        add_registration(event, "Mo Khan", RegistrationStatus.CONFIRMED),
    ]
    add_registration(event, "Pat Pending", RegistrationStatus.PENDING_CONFIRMATION)
    add_registration(event, "Cass Cancelled", RegistrationStatus.CANCELLED)
    waitlisted = add_registration(event, "Wyn Waiting", RegistrationStatus.WAITLISTED)
    return Sample(event, access, dietary, confirmed, waitlisted)


@pytest.fixture
def sample(db) -> Sample:
    return build_sample()


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


def event_url(name: str, sample: Sample) -> str:
    return reverse(f"events:{name}", args=[sample.event.public_id])


PAGES: dict[str, Callable[[Sample], str]] = {
    "list": lambda s: reverse("events:manage"),
    "create": lambda s: reverse("events:manage-create"),
    "attendance": lambda s: reverse("events:attendance"),
    "attendance-csv": lambda s: reverse("events:attendance-csv"),
    "event": lambda s: event_url("manage-event", s),
    "edit": lambda s: event_url("manage-edit", s),
    "type-create": lambda s: event_url("manage-type-create", s),
    "type-edit": lambda s: reverse(
        "events:manage-type-edit", args=[s.event.registration_types.first().public_id]
    ),
    "type-delete": lambda s: reverse(
        "events:manage-type-delete", args=[s.event.registration_types.first().public_id]
    ),
    "question-create": lambda s: event_url("manage-question-create", s),
    "question-edit": lambda s: reverse("events:manage-question-edit", args=[s.access.public_id]),
    "question-delete": lambda s: reverse(
        "events:manage-question-delete", args=[s.access.public_id]
    ),
    "registrations": lambda s: event_url("registrations", s),
    "check-in": lambda s: event_url("check-in", s),
}


# Who may open the pages -----------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, sample, page):
    url = PAGES[page](sample)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('core:sign-in')}?next={url}"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["resident", "practitioner"])
def test_people_without_permission_are_refused(request, sign_in, sample, page, who):
    response = sign_in(request.getfixturevalue(who)).get(PAGES[page](sample))
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [Role.FUND_OFFICER, Role.ADMINISTRATOR])
def test_fund_officers_and_administrators_see_every_page(sign_in, make_user, sample, page, role):
    response = sign_in(make_user(role)).get(PAGES[page](sample))
    assert response.status_code == 200
    assert b"govuk-error-summary" not in response.content


@pytest.mark.parametrize("who", ["anonymous", "resident", "practitioner"])
def test_attendance_cannot_be_marked_without_the_permission(request, client, sign_in, sample, who):
    caller = client if who == "anonymous" else sign_in(request.getfixturevalue(who))
    registration = sample.confirmed[0]

    response = caller.post(
        event_url("check-in", sample),
        {"registration": str(registration.public_id), "attended": "yes"},
    )

    assert response.status_code == (302 if who == "anonymous" else 403)
    registration.refresh_from_db()
    assert registration.attended is None
    assert not AuditEvent.objects.filter(action="events.registration.attendance").exists()


# The list of events ---------------------------------------------------------------------------


def test_the_list_shows_every_event_with_places_taken_left_and_waitlisted(sign_in, officer, sample):
    make_event(title="A draft event", is_published=False, capacity=7)

    main = main_of(sign_in(officer).get(reverse("events:manage")))

    row = re.search(
        rf'<tr class="govuk-table__row" id="event-{sample.event.public_id}">.*?</tr>', main
    )
    cells = re.findall(r'govuk-table__cell--numeric">(\d+)</td>', row.group(0))
    # capacity 4: 3 confirmed + 1 pending taken, 0 left, 1 waiting
    assert cells == ["4", "4", "0", "1"]
    assert "A draft event" in main and "Draft</strong>" in main


# Creating and editing events ------------------------------------------------------------------


EVENT_POST = {
    "title": "Deal conference",
    "kind": "conference",
    "summary": "The annual Deal conference.",
    "description": "",
    "starts_at": "2030-06-14 09:30",
    "ends_at": "2030-06-14 16:00",
    "venue_name": "Robin Park Arena",
    "venue_address": "Loire Drive",
    "venue_postcode": "wn5 0ul",
    "online_url": "",
    "capacity": "250",
    "registration_opens_at": "2030-05-01 09:00",
    "registration_closes_at": "2030-06-13 17:00",
    "confirmation_hours": "48",
    "reminder_hours": "24",
    "retention_days": "30",
    "deal_theme": "",
    "is_published": "on",
}


def test_creating_an_event_reads_times_as_uk_time(sign_in, officer, db):
    client = sign_in(officer)

    response = client.post(reverse("events:manage-create"), EVENT_POST)

    event = Event.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("events:manage-event", args=[event.public_id])
    assert event.starts_at == datetime.datetime(2030, 6, 14, 8, 30, tzinfo=datetime.UTC)
    assert event.registration_closes_at == datetime.datetime(
        2030, 6, 13, 16, 0, tzinfo=datetime.UTC
    )
    assert (event.venue_postcode, event.capacity, event.is_published) == ("WN5 0UL", 250, True)
    assert "Deal conference has been created." in text_of(client.get(response.url))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "Enter the event’s title"),
        ({"starts_at": "14/06/2030"}, "Enter the start as year-month-day hour:minute"),
        ({"ends_at": "2030-06-14 09:00"}, "The event must end after it starts."),
        (
            {"registration_closes_at": "2030-06-14 17:00"},
            "Registration must close before the event ends.",
        ),
        ({"capacity": "0"}, "The capacity must be 1 or more"),
        ({"capacity": "lots"}, "Enter the capacity as a whole number"),
        ({"venue_name": "", "venue_address": "", "venue_postcode": ""}, "Enter where the event is"),
        ({"online_url": "not a link"}, "Enter the joining link as a web address"),
    ],
)
def test_a_bad_event_form_shows_the_error_summary_and_saves_nothing(
    sign_in, officer, db, change, message
):
    response = sign_in(officer).post(reverse("events:manage-create"), {**EVENT_POST, **change})

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: Create an event" in text
    assert 'class="govuk-error-summary"' in text
    assert message in text
    assert Event.objects.count() == 0
    assert not AuditEvent.objects.filter(action="events.event.created").exists()


def test_the_edit_form_shows_uk_times_and_saves_changes(sign_in, officer, db):
    event = make_event(
        starts_at=datetime.datetime(2030, 1, 10, 18, 0, tzinfo=datetime.UTC),
        registration_closes_at=datetime.datetime(2030, 1, 10, 12, 0, tzinfo=datetime.UTC),
    )
    client = sign_in(officer)
    url = reverse("events:manage-edit", args=[event.public_id])

    form = text_of(client.get(url))
    assert 'name="starts_at" type="text" value="2030-01-10 18:00"' in form

    response = client.post(
        url,
        {
            **EVENT_POST,
            "title": "Renamed",
            "starts_at": "2030-01-10 18:00",
            "ends_at": "2030-01-10 20:00",
            "registration_opens_at": "2029-12-01 09:00",
            "registration_closes_at": "2030-01-10 12:00",
            "capacity": "12",
        },
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Renamed", 12)
    assert event.starts_at == datetime.datetime(2030, 1, 10, 18, 0, tzinfo=datetime.UTC)


def test_registration_types_and_questions_are_added_from_their_forms(sign_in, officer, db):
    event = make_event(registration_types=[], questions=[])
    client = sign_in(officer)

    empty = client.post(reverse("events:manage-type-create", args=[event.public_id]), {"name": ""})
    assert "Enter the registration type’s name" in text_of(empty)
    assert event.registration_types.count() == 0

    client.post(reverse("events:manage-type-create", args=[event.public_id]), {"name": "Press"})
    client.post(
        reverse("events:manage-question-create", args=[event.public_id]),
        {"text": "Dietary needs", "hint": "Or say none", "is_required": "on"},
    )

    assert list(event.registration_types.values_list("name", "position")) == [("Press", 0)]
    assert list(event.questions.values_list("text", "hint", "is_required")) == [
        ("Dietary needs", "Or say none", True)
    ]
    overview = main_of(client.get(reverse("events:manage-event", args=[event.public_id])))
    assert "Press</dt>" in overview and "Dietary needs</dt>" in overview


def test_a_question_someone_answered_is_not_deleted(sign_in, officer, sample):
    client = sign_in(officer)
    url = reverse("events:manage-question-delete", args=[sample.dietary.public_id])

    page = text_of(client.get(url))
    response = client.post(url)

    assert "2 people have answered this question, so it cannot be deleted." in page
    assert response.status_code == 200
    assert sample.event.questions.count() == 2


def test_a_question_nobody_answered_is_deleted(sign_in, officer, db):
    event = make_event()
    question = event.questions.get()

    response = sign_in(officer).post(
        reverse("events:manage-question-delete", args=[question.public_id])
    )

    assert response.status_code == 302
    assert event.questions.count() == 0


# Who registered -------------------------------------------------------------------------------


def test_the_registrations_page_lists_everyone_and_is_audited(sign_in, officer, sample):
    client = sign_in(officer)

    main = main_of(client.get(event_url("registrations", sample)))

    table = re.search(
        r'<table class="govuk-table opendeal-table--compact" id="registrations">.*</table>', main
    ).group(0)
    names = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', table)
    assert names == [
        "Zara Patel",
        "Ann Lee",
        "Mo Khan",
        "Pat Pending",
        "Cass Cancelled",
        "Wyn Waiting",
    ]
    assert "zara@example.org" in table
    assert "Step-free access" in table and "Vegan" in table
    wyn = re.search(r"Wyn Waiting</th>(.*?)</tr>", table).group(1)
    assert "On the waiting list</td>" in wyn
    assert 'govuk-table__cell--numeric">1</td>' in wyn
    audit = AuditEvent.objects.get(action=REGISTRANTS_VIEWED)
    assert (audit.actor, audit.object_type, audit.object_id) == (
        officer,
        "events.event",
        str(sample.event.public_id),
    )
    assert audit.details == {"page": "registrations", "count": 6}

    client.get(event_url("registrations", sample))
    assert AuditEvent.objects.filter(action=REGISTRANTS_VIEWED).count() == 2


def test_refused_callers_leave_no_audit_of_viewing(sign_in, practitioner, sample):
    sign_in(practitioner).get(event_url("registrations", sample))
    assert not AuditEvent.objects.filter(action=REGISTRANTS_VIEWED).exists()


# Check-in -------------------------------------------------------------------------------------


def check_in_rows(response) -> list[list[str]]:
    """Each row of the check-in table as its cells' text, without the attendance buttons."""
    table = re.search(r'id="check-in">(.*)</table>', text_of(response)).group(1)
    rows = re.findall(r'<tr class="govuk-table__row" id="row-[^"]+">(.*?)</tr>', table)
    cells = []
    for row in rows:
        row = re.sub(r'<td class="govuk-table__cell opendeal-no-print">.*?</td>', "", row)
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        cells.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in found])
    return cells


def test_the_check_in_list_has_confirmed_people_by_name_with_type_and_answers(
    sign_in, officer, sample
):
    response = sign_in(officer).get(event_url("check-in", sample))

    # The tick column, name, type, then each question's answer.
    assert check_in_rows(response) == [
        ["", "Ann Lee", "Resident", "Step-free access", "None"],
        ["", "Mo Khan", "–", "–", "–"],
        ["", "Zara Patel", "Community organisation", "–", "Vegan"],
    ]
    text = text_of(response)
    assert "3 people have a confirmed place. 0 marked as attended." in text
    assert '<th scope="col" class="govuk-table__header opendeal-print-only">Here</th>' in text
    assert "Wyn Waiting" not in text and "Pat Pending" not in text
    audit = AuditEvent.objects.get(action=REGISTRANTS_VIEWED)
    assert audit.details == {"page": "check-in", "count": 3}


def test_attendance_is_marked_row_by_row_and_can_be_undone(sign_in, officer, sample):
    client = sign_in(officer)
    ann = sample.confirmed[1]
    url = event_url("check-in", sample)

    response = client.post(url, {"registration": str(ann.public_id), "attended": "yes"})

    assert response.status_code == 302
    assert response.url == f"{url}#row-{ann.public_id}"
    ann.refresh_from_db()
    assert ann.attended is True
    page = client.get(url)
    assert "Ann Lee is marked as attended." in text_of(page)
    assert "3 people have a confirmed place. 1 marked as attended." in text_of(page)
    assert check_in_rows(page)[0][0] == "✓"

    client.post(url, {"registration": str(ann.public_id), "attended": "no"})
    ann.refresh_from_db()
    assert ann.attended is False
    assert AuditEvent.objects.filter(action="events.registration.attendance").count() == 2


def test_attendance_of_someone_without_a_place_is_refused(sign_in, officer, sample):
    client = sign_in(officer)

    response = client.post(
        event_url("check-in", sample),
        {"registration": str(sample.waitlisted.public_id), "attended": "yes"},
        follow=True,
    )

    assert "Only people with a confirmed place can be marked as attending." in text_of(response)
    sample.waitlisted.refresh_from_db()
    assert sample.waitlisted.attended is None


def test_a_malformed_attendance_post_changes_nothing(sign_in, officer, sample):
    response = sign_in(officer).post(
        event_url("check-in", sample), {"registration": "nonsense", "attended": "maybe"}
    )

    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in text_of(response)
    assert not Registration.objects.filter(attended__isnull=False).exists()


def test_a_registration_of_another_event_cannot_be_marked_here(sign_in, officer, sample):
    other = make_event()
    stranger = add_registration(other, "Stranger", RegistrationStatus.CONFIRMED)

    response = sign_in(officer).post(
        event_url("check-in", sample), {"registration": str(stranger.public_id), "attended": "yes"}
    )

    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.attended is None


# Attendance figures ---------------------------------------------------------------------------


def past_event(title: str, days_ago: int, attendance: list[bool | None]) -> Event:
    """An event that took place `days_ago`, with one confirmed place per entry of
    `attendance`, plus a cancelled and a waiting-list registration that never count."""
    starts_at = timezone.now() - datetime.timedelta(days=days_ago)
    event = make_event(
        title=title,
        starts_at=starts_at,
        registration_opens_at=starts_at - datetime.timedelta(days=30),
        registration_closes_at=starts_at - datetime.timedelta(hours=1),
    )
    for number, attended in enumerate(attendance):
        add_registration(
            event,
            f"Person {number}",
            RegistrationStatus.CONFIRMED,
            email=f"p{number}@example.org",
            attended=attended,
        )
    add_registration(event, "Cancelled", RegistrationStatus.CANCELLED, email="c@example.org")
    add_registration(event, "Waiting", RegistrationStatus.WAITLISTED, email="w@example.org")
    return event


@pytest.fixture
def figures(db) -> dict[str, Event]:
    events = {
        "recent": past_event("Recent workshop", 3, [True, True, True, False]),
        "earlier": past_event("Earlier meeting", 50, [True, None, None]),
        "old": past_event("Last year's conference", 400, [True, True]),
    }
    upcoming = make_event(title="Upcoming workshop")
    add_registration(upcoming, "Early bird", RegistrationStatus.CONFIRMED)
    return events


def month_of(event: Event) -> str:
    return f"{timezone.localtime(event.starts_at):%B %Y}"


def table_rows(response, table_id: str) -> list[list[str]]:
    table = re.search(rf'id="{table_id}">(.*?)</table>', text_of(response)).group(1)
    body = table.split("<tbody")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_attendance_figures_per_event_and_per_month(sign_in, officer, figures):
    response = sign_in(officer).get(reverse("events:attendance"))

    def date_of(key: str) -> str:
        starts = timezone.localtime(figures[key].starts_at)
        return f"{starts.day} {starts:%B %Y}"

    assert table_rows(response, "attendance-by-event") == [
        ["Last year&#x27;s conference", date_of("old"), "2", "2", "0", "100%"],
        ["Earlier meeting", date_of("earlier"), "3", "1", "2", "33%"],
        ["Recent workshop", date_of("recent"), "4", "3", "1", "75%"],
    ]
    months = table_rows(response, "attendance-by-month")
    assert len(months) == 12
    by_month = {row[0]: row[1:] for row in months}
    assert by_month[month_of(figures["recent"])] == ["4", "3", "1", "75%"]
    assert by_month[month_of(figures["earlier"])] == ["3", "1", "2", "33%"]
    others = [
        row
        for label, row in by_month.items()
        if label not in {month_of(figures["recent"]), month_of(figures["earlier"])}
    ]
    assert others == [["0", "0", "0", "–"]] * 10
    # Each set of figures also as an accessible chart.
    text = text_of(response)
    assert text.count('role="img"') == 2
    assert '<title id="attendance-by-event-title">People who attended, by event</title>' in text
    assert "Recent workshop: 3" in text


def test_attendance_figures_download_as_csv(sign_in, officer, figures):
    response = sign_in(officer).get(reverse("events:attendance-csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "breakdown",
        "id",
        "name",
        "date",
        "registered",
        "attended",
        "no_shows",
        "attendance_rate",
    ]
    events = [row for row in rows if row[0] == "event"]
    assert [row[2:] for row in events] == [
        [
            "Last year's conference",
            f"{timezone.localtime(figures['old'].starts_at).date()}",
            "2",
            "2",
            "0",
            "100%",
        ],
        [
            "Earlier meeting",
            f"{timezone.localtime(figures['earlier'].starts_at).date()}",
            "3",
            "1",
            "2",
            "33%",
        ],
        [
            "Recent workshop",
            f"{timezone.localtime(figures['recent'].starts_at).date()}",
            "4",
            "3",
            "1",
            "75%",
        ],
    ]
    assert events[2][1] == str(figures["recent"].public_id)
    months = [row for row in rows if row[0] == "month"]
    assert len(months) == 12
    recent = next(row for row in months if row[2] == month_of(figures["recent"]))
    assert recent[4:] == ["4", "3", "1", "75%"]
    assert sum(int(row[4]) for row in months) == 7


# In a browser ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_check_in_list_in_a_browser(transactional_db, page, live_server, sign_in, make_user):
    sample = build_sample()
    client = sign_in(make_user(Role.FUND_OFFICER))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(reverse("events:manage"))
    assert_accessible(page)
    follow(page.get_by_role("link", name="Fund workshop"))
    assert_accessible(page)
    page.get_by_role("link", name="Check-in list and attendance").click()
    page.wait_for_url(f"**{event_url('check-in', sample)}")
    assert_accessible(page)
    # On screen the tick column is hidden and the buttons show; printed, the other way round.
    expect(page.get_by_role("columnheader", name="Here")).to_be_hidden()
    ann = Registration.objects.get(name="Ann Lee")
    follow(page.locator(f"#row-{ann.public_id}").get_by_role("button", name="Attended"))
    assert (
        "Ann Lee is marked as attended." in page.locator(".govuk-notification-banner").inner_text()
    )
    assert_accessible(page)
    assert page.locator("#check-in-count").inner_text() == (
        "3 people have a confirmed place. 1 marked as attended."
    )
    page.emulate_media(media="print")
    expect(page.get_by_role("columnheader", name="Here")).to_be_visible()
    expect(page.get_by_role("button", name="Did not attend").first).to_be_hidden()
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    ann.refresh_from_db()
    assert ann.attended is True


@pytest.mark.browser
def test_the_staff_pages_are_accessible(transactional_db, page, live_server, sign_in, make_user):
    sample = build_sample()
    past_event("Recent workshop", 3, [True, False])
    client = sign_in(make_user(Role.ADMINISTRATOR))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for name in ("list", "event", "edit", "registrations", "attendance", "question-delete"):
        page.goto(PAGES[name](sample))
        assert_accessible(page)
    page.goto(PAGES["create"](sample))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert Event.objects.count() == 2
