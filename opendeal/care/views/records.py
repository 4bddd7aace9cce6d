"""What a manager of a person's team does with their record: read its audit trail, share it,
close it, answer a subject access request, erase it; and the connections export."""

import csv
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendeal.core.form_pages import posted
from opendeal.core.models import User
from opendeal.core.permissions import staff_permission_required

from .. import access, erasure, services
from ..extract import CONNECTION_COLUMNS, connections_export
from ..forms import CloseForm, EraseForm, ShareForm
from ..subject_access import subject_access_document
from .common import care_form_page, person_url, sign_in_required, viewed_person


@sign_in_required
@require_GET
def audit_trail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "audit", manager=True)
    events = [
        (event, access.ACTION_LABELS.get(event.action, event.action))
        for event in access.trail(person)[:500]
    ]
    return render(request, "care/audit.html", {"person": person, "events": events})


@sign_in_required
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "share", manager=True)

    def save(data):
        colleague = User.objects.filter(email=data["email"].strip().lower()).first()
        if colleague is None or not colleague.has_perm(access.WORK_WITH_PEOPLE):
            raise ValidationError(
                {"email": "Share records only with practitioners and team managers"}
            )
        return services.share_person(request.user, person, colleague)

    return care_form_page(
        request,
        ShareForm(posted(request)),
        save,
        template="care/share.html",
        context={
            "person": person,
            "shares": person.shares.select_related("user"),
            "back_url": person_url(person),
        },
        done=lambda saved: (
            f"The record is shared with {saved.user.full_name or saved.user.email}.",
            person_url(person),
        ),
    )


@sign_in_required
@require_POST
def unshare(request: HttpRequest, public_id: uuid.UUID, user_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "unshare", manager=True)
    colleague = User.objects.filter(public_id=user_id).first()
    if colleague is not None:
        services.unshare_person(request.user, person, colleague)
        messages.success(request, "The record is no longer shared with them.")
    return redirect(reverse("care:share", args=[person.public_id]))


@sign_in_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "close", manager=True)
    if request.method == "POST" and "reopen" in request.POST:
        services.reopen_person(request.user, person)
        messages.success(request, "The record is open again.")
        return redirect(person_url(person))
    return care_form_page(
        request,
        CloseForm(posted(request)),
        lambda data: services.close_person(request.user, person, data["closed_on"]),
        template="care/close.html",
        context={
            "person": person,
            "back_url": person_url(person),
            "retention_years": settings.OPENDEAL_CARE_RETENTION_YEARS,
        },
        done=lambda saved: ("The record is closed.", person_url(person)),
    )


@sign_in_required
@require_GET
def subject_access(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "subject-access", manager=True)
    document = subject_access_document(person)
    about = [
        (
            name.replace("_", " ").capitalize(),
            ("Yes" if value else "No") if isinstance(value, bool) else value,
        )
        for name, value in document["person"].items()
    ]
    context = {"person": person, "document": document, "about": about}
    return render(request, "care/subject_access.html", context)


@sign_in_required
@require_GET
def subject_access_json(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "subject-access-json", manager=True)
    response = JsonResponse(
        subject_access_document(person), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{person.public_id}.json"'
    )
    return response


@sign_in_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    person = viewed_person(request, public_id, "erase", manager=True)
    return care_form_page(
        request,
        EraseForm(posted(request)),
        lambda data: erasure.erase_person(request.user, person, reason="request"),
        template="care/erase.html",
        context={"person": person, "back_url": person_url(person)},
        done=lambda saved: ("The record has been erased.", reverse("care:caseload")),
    )


def _csv_safe(value: str) -> str:
    """Stop a spreadsheet reading a value as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@staff_permission_required(access.MANAGE_TEAM_PEOPLE)
@require_GET
def connections_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="connections.csv"'
    writer = csv.DictWriter(response, fieldnames=CONNECTION_COLUMNS)
    writer.writeheader()
    for row in connections_export(request.user):
        writer.writerow({name: _csv_safe(value) for name, value in row.items()})
    return response
