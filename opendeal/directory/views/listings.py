"""Community organisations' pages for their own listings: the list, one listing with its
pending change, proposing changes, confirming it is still correct, and its history (which
directory editors can read too)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.form_pages import posted
from opendeal.core.permissions import require, staff_permission_required

from .. import listing_diff, moderation
from ..listing_forms import ListingForm
from ..models import ListingChange, Service

owner_required = staff_permission_required(moderation.PROPOSE)


def _owned_service(request: HttpRequest, service_id: uuid.UUID) -> Service:
    service = get_object_or_404(Service.objects.select_related("organization"), id=service_id)
    require(moderation.can_propose(request.user, service))
    return service


@owner_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    services = moderation.owned_services(request.user).order_by("organization__name", "name")
    pending = set(
        ListingChange.objects.filter(
            service__in=services, status=ListingChange.Status.PENDING
        ).values_list("service_id", flat=True)
    )
    rows = [(service, service.id in pending, service.is_stale()) for service in services]
    return render(request, "directory/manage/your_listings.html", {"rows": rows})


@owner_required
@require_GET
def listing_overview(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _owned_service(request, service_id)
    current = moderation.snapshot(service)
    context = {
        "service": service,
        "rows": listing_diff.compare(current, current),
        "pending": moderation.pending_change(service),
    }
    return render(request, "directory/manage/listing.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _owned_service(request, service_id)
    pending = moderation.pending_change(service)
    # A second round of changes starts from the first, which it then replaces.
    starting_point = (
        pending.proposed
        if pending is not None and pending.kind == ListingChange.Kind.EDIT
        else moderation.snapshot(service)
    )
    form = ListingForm(posted(request), listing=starting_point)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.propose(
                request.user, service, form.to_listing(), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your changes have been sent for review. Nothing public changes until "
                "a directory editor approves them.",
            )
            return redirect("directory:listing", service.id)
    context = {
        "form": form,
        "service": service,
        "heading": "Propose changes",
        "submit_label": "Send for review",
        "back_url": reverse("directory:listing", args=[service.id]),
        "replaces_pending": pending is not None,
        "show_note": True,
    }
    return render(request, "directory/manage/listing_form.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def listing_confirm(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = _owned_service(request, service_id)
    problem = ""
    if request.method == "POST":
        try:
            moderation.confirm_still_correct(request.user, service)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request, "Thank you. A directory editor will check it and mark it as reviewed."
            )
            return redirect("directory:listing", service.id)
    context = {"service": service, "problem": problem}
    return render(request, "directory/manage/confirm.html", context)


@login_required
@require_GET
def listing_history(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), id=service_id)
    moderation.check_can_view_history(request.user, service)
    context = {
        "service": service,
        "changes": moderation.history(service),
        "audit_events": moderation.audit_trail(service),
        "is_editor": moderation.can_moderate(request.user)[0],
    }
    return render(request, "directory/manage/history.html", context)


@login_required
@require_GET
def change_detail(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    """One change as it was proposed: the listing before beside the listing proposed."""
    change = get_object_or_404(
        ListingChange.objects.select_related("service", "proposed_by", "decided_by"), id=change_id
    )
    moderation.check_can_view_history(request.user, change.service)
    context = {
        "change": change,
        "service": change.service,
        "rows": listing_diff.compare(change.base, change.proposed),
        "left": "Before",
        "right": "Proposed",
    }
    return render(request, "directory/manage/change.html", context)


urlpatterns = [
    path("your-listings/", listing_list, name="listings"),
    path("your-listings/<uuid:service_id>/", listing_overview, name="listing"),
    path("your-listings/<uuid:service_id>/edit/", listing_edit, name="listing-edit"),
    path("your-listings/<uuid:service_id>/confirm/", listing_confirm, name="listing-confirm"),
    path("listings/<uuid:service_id>/history/", listing_history, name="listing-history"),
    path("listings/changes/<uuid:change_id>/", change_detail, name="change"),
]
