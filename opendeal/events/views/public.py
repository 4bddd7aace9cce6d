"""The public events pages: upcoming events, registering, confirming and cancelling by the
emailed links, calendar files, and a signed-in person's bookings.

Pages anyone can reach set no cookie beyond CSRF's: the outcome of a registration is carried in
a signed receipt in the result page's address (naming only the registration's public id, never
a name or an email address), not in the session.
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendeal.deal import selectors as deal_selectors
from opendeal.directory.service_pages import public_services_at

from .. import calendar, selectors, services
from ..forms import EventFilterForm, RegistrationForm
from ..models import Event, Registration, RegistrationStatus

RECEIPT_SALT = "opendeal.events.registered"
# Long enough to reload the result page; the emails carry the lasting links.
RECEIPT_MAX_AGE_SECONDS = 24 * 60 * 60
# Statuses whose holder can put the event in a calendar.
CALENDAR_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_CONFIRMATION)


# Listing events


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    events = selectors.upcoming_events()
    if kind:
        events = events.filter(kind=kind)
    # upcoming_events() counts the places held in the same query.
    rows = [(event, max(event.capacity - event.places_held, 0)) for event in events]
    return render(request, "events/list.html", {"filter_form": form, "rows": rows, "kind": kind})


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        calendar.events_feed_ics(selectors.upcoming_events()), content_type="text/calendar"
    )
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


# One event, and registering for it


def _visible_event(request: HttpRequest, public_id: uuid.UUID) -> Event:
    """A published event; people who manage events may preview a draft."""
    event = get_object_or_404(
        Event.objects.select_related(
            "deal_theme__deal", "fund_round__fund", "location"
        ).prefetch_related("location__addresses"),
        public_id=public_id,
    )
    if not event.is_published and not request.user.has_perm("events.manage_events"):
        raise Http404("There is no such event.")
    return event


def _registration_state(event: Event) -> str:
    """ "open", "not_open" (yet), "closed" or "finished"."""
    now = timezone.now()
    if event.ends_at <= now:
        return "finished"
    if now < event.registration_opens_at:
        return "not_open"
    if now >= event.registration_closes_at or now >= event.starts_at:
        return "closed"
    return "open"


def _theme_link(event: Event) -> str:
    """The public page of the event's Deal theme, when its Deal is the one the public sees
    (the theme pages show only the current Deal)."""
    theme = event.deal_theme
    if theme is None:
        return ""
    current = deal_selectors.latest_published_deal()
    if current is None or current.pk != theme.deal_id:
        return ""
    return reverse("deal:theme", args=[theme.slug])


def _round_link(event: Event) -> str:
    """The public page of the event's funding round, when the round is published."""
    round_ = event.fund_round
    if round_ is None or not round_.published:
        return ""
    return reverse("fund:round", args=[round_.fund.slug, round_.slug])


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = _visible_event(request, public_id)
    user = request.user if request.user.is_authenticated else None
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data, event=event, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.register(
                event,
                name=form.cleaned_data["name"],
                email=user.email if user is not None else form.cleaned_data["email"],
                registration_type=form.cleaned_data.get("registration_type"),
                answers=form.answers(),
                user=user,
                client_address=request.META.get("REMOTE_ADDR", ""),
            )
        except services.RegistrationRefused as refusal:
            form.add_error(None, refusal.reason)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("events:registered", receipt=_make_receipt(result.registration))
    booking = _live_booking(event, user)
    context = {
        "event": event,
        "form": form,
        "booking": booking,
        "booking_position": services.waitlist_position(booking) if booking else None,
        "places_left": services.places_left(event),
        "state": _registration_state(event),
        "theme_url": _theme_link(event),
        "round_url": _round_link(event),
        "directory_services": (
            public_services_at(event.location) if event.location is not None else []
        ),
    }
    return render(request, "events/detail.html", context)


def _live_booking(event: Event, user) -> Registration | None:
    """The signed-in person's own live registration for the event, if they have one."""
    if user is None:
        return None
    return event.registrations.filter(user=user, status__in=services.LIVE_STATUSES).first()


def _add_errors(form: RegistrationForm, error: ValidationError) -> None:
    """The service's problems beside the fields they are about, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _make_receipt(registration: Registration) -> str:
    return signing.dumps(str(registration.public_id), salt=RECEIPT_SALT)


def _read_receipt(receipt: str) -> Registration:
    try:
        public_id = uuid.UUID(
            signing.loads(receipt, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE_SECONDS)
        )
    except (signing.BadSignature, TypeError, ValueError):
        raise Http404("This page has expired.") from None
    return get_object_or_404(Registration.objects.select_related("event"), public_id=public_id)


@require_GET
def registered(request: HttpRequest, receipt: str) -> HttpResponse:
    """What happened to a registration just made: booked, to confirm by email, or waiting."""
    registration = _read_receipt(receipt)
    context = {
        "registration": registration,
        "event": registration.event,
        "position": services.waitlist_position(registration),
        "calendar_token": _calendar_token(registration),
    }
    return render(request, "events/registered.html", context)


def _calendar_token(registration: Registration) -> str:
    if registration.status not in CALENDAR_STATUSES:
        return ""
    return services.make_registration_token(registration, "calendar")


# By the emailed links


def _invalid_link(request: HttpRequest, error: services.RegistrationRefused) -> HttpResponse:
    return render(request, "events/invalid_link.html", {"error": error}, status=400)


def _refused(request: HttpRequest, refusal: services.RegistrationRefused, registration):
    context = {"refusal": refusal, "registration": registration}
    return render(request, "events/refused.html", context, status=409)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows the button: mail scanners open links, and must not confirm anything."""
    try:
        registration = services.read_registration_token(token, "confirm")
    except services.InvalidLink as error:
        return _invalid_link(request, error)
    if request.method == "POST":
        try:
            registration = services.confirm_registration(token)
        except services.InvalidLink as error:
            return _invalid_link(request, error)
        except services.RegistrationRefused as refusal:
            return _refused(request, refusal, registration)
        return redirect("events:registered", receipt=_make_receipt(registration))
    context = {
        "registration": registration,
        "event": registration.event,
        "token": token,
        "position": services.waitlist_position(registration),
    }
    return render(request, "events/confirm.html", context)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the booking and the button; the page says so once it is cancelled."""
    try:
        registration = services.read_registration_token(token, "cancel")
        if request.method == "POST":
            services.cancel_registration(token)
            return redirect("events:cancel", token=token)
    except services.InvalidLink as error:
        return _invalid_link(request, error)
    except services.RegistrationRefused as refusal:
        return _refused(request, refusal, registration)
    context = {
        "registration": registration,
        "event": registration.event,
        "token": token,
        "position": services.waitlist_position(registration),
    }
    return render(request, "events/cancel.html", context)


@require_GET
def registration_ics(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = services.read_registration_token(token, "calendar")
    except services.InvalidLink as error:
        return _invalid_link(request, error)
    if registration.status not in CALENDAR_STATUSES:
        raise Http404("This booking has no place at the event.")
    response = HttpResponse(calendar.registration_ics(registration), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="event.ics"'
    return response


# Your bookings, signed in


def _cancelled_registration(request: HttpRequest, user) -> Registration | None:
    """The registration named by ?cancelled=, for the success banner, if it is the caller's."""
    try:
        public_id = uuid.UUID(request.GET.get("cancelled", ""))
    except ValueError:
        return None
    return (
        Registration.objects.filter(
            public_id=public_id, user=user, status=RegistrationStatus.CANCELLED
        )
        .select_related("event")
        .first()
    )


@login_required
@require_GET
def yours(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        (
            registration,
            services.waitlist_position(registration),
            registration.status in services.LIVE_STATUSES and registration.event.starts_at > now,
        )
        for registration in selectors.registrations_for_user(request.user)
    ]
    context = {"rows": rows, "cancelled": _cancelled_registration(request, request.user)}
    return render(request, "events/yours.html", context)


@login_required
@require_POST
def cancel_yours(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    registration = get_object_or_404(Registration, public_id=public_id)
    services.cancel_own_registration(request.user, registration)  # PermissionDenied -> 403
    return redirect(f"{reverse('events:yours')}?cancelled={registration.public_id}")


urlpatterns = [
    path("", event_list, name="list"),
    path("feed.ics", feed, name="feed"),
    path("yours/", yours, name="yours"),
    path("yours/<uuid:public_id>/cancel/", cancel_yours, name="cancel-yours"),
    path("registered/<str:receipt>/", registered, name="registered"),
    path("confirm/<str:token>/", confirm, name="confirm"),
    path("cancel/<str:token>/", cancel, name="cancel"),
    path("calendar/<str:token>/event.ics", registration_ics, name="registration-ics"),
    path("<uuid:public_id>/", detail, name="detail"),
]
