"""Staff pages for events: the list of events with their places, creating and editing events,
their registration types and questions, who registered, the printable check-in list with
attendance marking, and attendance figures with a CSV download.

Every page that shows registrants' personal details writes an audit event when it is viewed.
"""

import csv
import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core import audit
from opendeal.core.form_pages import form_page, initial_from, posted
from opendeal.core.permissions import staff_permission_required
from opendeal.deal.charts import Bar, bar_chart

from .. import editing, selectors, services
from ..forms import AttendanceForm, EventForm, QuestionForm, RegistrationTypeForm
from ..models import Event, Question, Registration, RegistrationStatus, RegistrationType

manage_required = staff_permission_required("events.manage_events")
check_in_required = staff_permission_required("events.check_in_attendees")
REGISTRANTS_VIEWED = "events.registrations.viewed"


def _event_url(event: Event) -> str:
    return reverse("events:manage-event", args=[event.public_id])


def _event(public_id: uuid.UUID) -> Event:
    return get_object_or_404(Event.objects.select_related("deal_theme__deal"), public_id=public_id)


# Events ---------------------------------------------------------------------------------------


@manage_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.order_by("-starts_at", "title")
    rows = [(event, selectors.event_summary(event)) for event in events]
    return render(request, "events/manage/list.html", {"rows": rows})


@manage_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    # A round's page links here with ?fund_round=<its public id> to start the event in it.
    initial = {"fund_round": request.GET["fund_round"]} if "fund_round" in request.GET else {}
    return form_page(
        request,
        EventForm(posted(request), initial=initial),
        lambda data: editing.create_event(request.user, **data),
        heading="Create an event",
        caption="Manage events",
        back_url=reverse("events:manage"),
        done=lambda event: (f"{event.title} has been created.", _event_url(event)),
    )


@manage_required
@require_GET
def event_overview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _event(public_id)
    context = {
        "event": event,
        "summary": selectors.event_summary(event),
        "registration_types": event.registration_types.all(),
        "questions": event.questions.all(),
    }
    return render(request, "events/manage/event.html", context)


@manage_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _event(public_id)
    return form_page(
        request,
        EventForm(posted(request), initial=initial_from(event, EventForm)),
        lambda data: editing.update_event(request.user, event, **data),
        heading="Edit the event",
        caption=event.title,
        back_url=_event_url(event),
        done=lambda saved: (f"{saved.title} has been updated.", _event_url(saved)),
    )


# Registration types and questions -------------------------------------------------------------


@manage_required
@require_http_methods(["GET", "POST"])
def type_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _event(public_id)
    return form_page(
        request,
        RegistrationTypeForm(posted(request)),
        lambda data: editing.create_registration_type(request.user, event, **data),
        heading="Add a registration type",
        caption=event.title,
        back_url=_event_url(event),
        done=lambda saved: (
            f"The registration type “{saved.name}” has been added.",
            _event_url(event),
        ),
    )


def _registration_type(type_id: uuid.UUID) -> RegistrationType:
    return get_object_or_404(RegistrationType.objects.select_related("event"), public_id=type_id)


@manage_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, type_id: uuid.UUID) -> HttpResponse:
    registration_type = _registration_type(type_id)
    event = registration_type.event
    return form_page(
        request,
        RegistrationTypeForm(
            posted(request), initial=initial_from(registration_type, RegistrationTypeForm)
        ),
        lambda data: editing.update_registration_type(request.user, registration_type, **data),
        heading="Edit the registration type",
        caption=event.title,
        back_url=_event_url(event),
        done=lambda saved: (
            f"The registration type “{saved.name}” has been updated.",
            _event_url(event),
        ),
    )


@manage_required
@require_http_methods(["GET", "POST"])
def type_delete(request: HttpRequest, type_id: uuid.UUID) -> HttpResponse:
    registration_type = _registration_type(type_id)
    return _delete_page(
        request,
        registration_type.event,
        blocker=editing.registration_type_deletion_blocker(registration_type),
        delete=lambda: editing.delete_registration_type(request.user, registration_type),
        what=f"the registration type “{registration_type.name}”",
    )


@manage_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _event(public_id)
    return form_page(
        request,
        QuestionForm(posted(request)),
        lambda data: editing.create_question(request.user, event, **data),
        heading="Add a question",
        caption=event.title,
        back_url=_event_url(event),
        done=lambda saved: (f"The question “{saved.text}” has been added.", _event_url(event)),
    )


def _question(question_id: uuid.UUID) -> Question:
    return get_object_or_404(Question.objects.select_related("event"), public_id=question_id)


@manage_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_id: uuid.UUID) -> HttpResponse:
    question = _question(question_id)
    event = question.event
    return form_page(
        request,
        QuestionForm(posted(request), initial=initial_from(question, QuestionForm)),
        lambda data: editing.update_question(request.user, question, **data),
        heading="Edit the question",
        caption=event.title,
        back_url=_event_url(event),
        done=lambda saved: (f"The question “{saved.text}” has been updated.", _event_url(event)),
    )


@manage_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, question_id: uuid.UUID) -> HttpResponse:
    question = _question(question_id)
    return _delete_page(
        request,
        question.event,
        blocker=editing.question_deletion_blocker(question),
        delete=lambda: editing.delete_question(request.user, question),
        what=f"the question “{question.text}”",
    )


def _delete_page(
    request: HttpRequest, event: Event, *, blocker: str, delete: Callable[[], None], what: str
) -> HttpResponse:
    if request.method == "POST" and not blocker:
        delete()
        messages.success(request, f"{what[0].upper()}{what[1:]} has been deleted.")
        return redirect(_event_url(event))
    context = {"event": event, "blocker": blocker, "what": what, "back_url": _event_url(event)}
    return render(request, "events/manage/delete.html", context)


# Who registered -------------------------------------------------------------------------------


@manage_required
@require_GET
def registrations(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _event(public_id)
    questions = list(event.questions.all())
    registrations = list(event.registrations.select_related("registration_type"))
    # Waiting-list positions from the list itself, not a count query per registrant: the
    # same numbering as services.waitlist_position (arrival order among those waiting).
    waiting = sorted(
        (item for item in registrations if item.status == RegistrationStatus.WAITLISTED),
        key=lambda item: item.sequence,
    )
    positions = {item.pk: number for number, item in enumerate(waiting, start=1)}
    rows = [
        (
            registration,
            positions.get(registration.pk),
            [registration.answers.get(str(question.public_id), "") for question in questions],
        )
        for registration in registrations
    ]
    audit.record(request.user, REGISTRANTS_VIEWED, event, page="registrations", count=len(rows))
    context = {
        "event": event,
        "summary": selectors.event_summary(event),
        "questions": questions,
        "rows": rows,
    }
    return render(request, "events/manage/registrations.html", context)


# Check-in -------------------------------------------------------------------------------------


def _check_in_page(request: HttpRequest, event: Event, failed: AttendanceForm | None = None):
    questions = list(event.questions.all())
    attendees = event.registrations.filter(status=RegistrationStatus.CONFIRMED).select_related(
        "registration_type"
    )
    rows = [
        (
            registration,
            [registration.answers.get(str(question.public_id), "") for question in questions],
        )
        for registration in sorted(attendees, key=lambda item: (item.name.casefold(), item.pk))
    ]
    audit.record(request.user, REGISTRANTS_VIEWED, event, page="check-in", count=len(rows))
    context = {
        "event": event,
        "questions": questions,
        "rows": rows,
        "attended": sum(1 for registration, _ in rows if registration.attended),
        "form": failed,
    }
    return render(request, "events/manage/check_in.html", context, status=400 if failed else 200)


@check_in_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _event(public_id)
    if request.method != "POST":
        return _check_in_page(request, event)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return _check_in_page(request, event, failed=form)
    registration = get_object_or_404(
        Registration, event=event, public_id=form.cleaned_data["registration"]
    )
    attended = form.cleaned_data["attended"]
    try:
        services.mark_attendance(request.user, registration, attended)
    except services.RegistrationRefused as refusal:
        messages.error(request, refusal.reason)
    else:
        outcome = "attended" if attended else "did not attend"
        messages.success(request, f"{registration.name} is marked as {outcome}.")
    return redirect(
        f"{reverse('events:check-in', args=[event.public_id])}#row-{registration.public_id}"
    )


# Attendance figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One line of the figures: an event or a month."""

    key: str  # the event's public id, or the month as YYYY-MM
    label: str
    date: datetime.date
    registered: int
    attended: int
    no_shows: int

    @property
    def rate(self) -> str:
        """The share of registered people who came, as a whole percentage."""
        if not self.registered:
            return "–"
        return f"{(Decimal(100) * self.attended / self.registered).quantize(Decimal(1))}%"


def _figures() -> tuple[list[FigureRow], list[FigureRow]]:
    by_event = [
        FigureRow(
            str(row.event.public_id),
            row.event.title,
            timezone.localtime(row.event.starts_at).date(),
            row.registered,
            row.attended,
            row.no_shows,
        )
        for row in selectors.attendance_by_event()
    ]
    by_month = [
        FigureRow(
            f"{row.month:%Y-%m}",
            f"{row.month:%B %Y}",
            row.month,
            row.registered,
            row.attended,
            row.no_shows,
        )
        for row in selectors.attendance_by_month(months=12)
    ]
    return by_event, by_month


@manage_required
@require_GET
def attendance(request: HttpRequest) -> HttpResponse:
    by_event, by_month = _figures()
    context = {
        "by_event": by_event,
        "by_month": by_month,
        "event_chart": bar_chart(
            [Bar(row.label, row.attended) for row in by_event],
            chart_id="attendance-by-event",
            title="People who attended, by event",
        ),
        "month_chart": bar_chart(
            [Bar(f"{row.date:%b %Y}", row.attended) for row in by_month],
            chart_id="attendance-by-month",
            title="People who attended, by month, over the last 12 months",
        ),
    }
    return render(request, "events/manage/attendance.html", context)


def _csv_safe(text: str) -> str:
    """Stop a spreadsheet reading a title as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@manage_required
@require_GET
def attendance_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="event-attendance.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["breakdown", "id", "name", "date", "registered", "attended", "no_shows", "attendance_rate"]
    )
    by_event, by_month = _figures()
    for breakdown, rows in (("event", by_event), ("month", by_month)):
        for row in rows:
            writer.writerow(
                [
                    breakdown,
                    row.key,
                    _csv_safe(row.label),
                    row.date.isoformat(),
                    row.registered,
                    row.attended,
                    row.no_shows,
                    row.rate,
                ]
            )
    return response


urlpatterns = [
    path("manage/", event_list, name="manage"),
    path("manage/new/", event_create, name="manage-create"),
    path("manage/attendance/", attendance, name="attendance"),
    path("manage/attendance.csv", attendance_csv, name="attendance-csv"),
    path("manage/<uuid:public_id>/", event_overview, name="manage-event"),
    path("manage/<uuid:public_id>/edit/", event_edit, name="manage-edit"),
    path("manage/<uuid:public_id>/types/new/", type_create, name="manage-type-create"),
    path("manage/types/<uuid:type_id>/edit/", type_edit, name="manage-type-edit"),
    path("manage/types/<uuid:type_id>/delete/", type_delete, name="manage-type-delete"),
    path("manage/<uuid:public_id>/questions/new/", question_create, name="manage-question-create"),
    path("manage/questions/<uuid:question_id>/edit/", question_edit, name="manage-question-edit"),
    path(
        "manage/questions/<uuid:question_id>/delete/",
        question_delete,
        name="manage-question-delete",
    ),
    path("manage/<uuid:public_id>/registrations/", registrations, name="registrations"),
    path("manage/<uuid:public_id>/check-in/", check_in, name="check-in"),
]
