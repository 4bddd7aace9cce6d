"""Directory editors' pages: the moderation queue, reviewing one change side by side with the
listing as it is (approve, or reject with a reason), every listing with direct editing, and the
listings that have gone 12 months without review."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendeal.core.form_pages import posted
from opendeal.core.permissions import staff_permission_required

from .. import listing_diff, moderation, reminders
from ..listing_forms import ListingForm, RejectForm
from ..models import ListingChange, Service

moderate_required = staff_permission_required(moderation.MODERATE)
LISTINGS_PER_PAGE = 50


def _pending(change_id: uuid.UUID) -> ListingChange:
    return get_object_or_404(
        ListingChange.objects.select_related("service__organization", "proposed_by"), id=change_id
    )


@moderate_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    changes = (
        ListingChange.objects.filter(status=ListingChange.Status.PENDING)
        .select_related("service__organization", "proposed_by")
        .order_by("proposed_at")
    )
    rows = [
        (change, sum(row.changed for row in listing_diff.compare(change.base, change.proposed)))
        for change in changes
    ]
    return render(request, "directory/manage/queue.html", {"rows": rows})


@moderate_required
@require_GET
def review(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    change = _pending(change_id)
    current = moderation.snapshot(change.service)
    context = {
        "change": change,
        "service": change.service,
        "rows": listing_diff.compare(current, change.proposed),
        "left": "Now",
        "right": "Proposed",
        "changed_since": change.status == ListingChange.Status.PENDING and current != change.base,
        "reject_form": RejectForm(),
    }
    return render(request, "directory/manage/review.html", context)


@moderate_required
@require_POST
def approve(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    change = _pending(change_id)
    try:
        moderation.approve(request.user, change)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("directory:moderation-review", change.id)
    messages.success(request, f"The change to “{change.service.name}” has been approved.")
    return redirect("directory:moderation-queue")


@moderate_required
@require_http_methods(["GET", "POST"])
def reject(request: HttpRequest, change_id: uuid.UUID) -> HttpResponse:
    change = _pending(change_id)
    form = RejectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            moderation.reject(request.user, change, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"The change to “{change.service.name}” has been rejected and the reason sent.",
            )
            return redirect("directory:moderation-queue")
    return render(request, "directory/manage/reject.html", {"change": change, "form": form})


@moderate_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    services = Service.objects.select_related("organization").annotate(
        pending=Count("changes", filter=Q(changes__status=ListingChange.Status.PENDING))
    )
    if search:
        services = services.filter(
            Q(name__icontains=search) | Q(organization__name__icontains=search)
        )
    page = Paginator(services.order_by("name", "id"), LISTINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "directory/manage/listings.html", {"page": page, "search": search})


@moderate_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), id=service_id)
    form = ListingForm(posted(request), listing=moderation.snapshot(service))
    if request.method == "POST" and form.is_valid():
        try:
            moderation.edit_directly(
                request.user, service, form.to_listing(), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{service.name}” has been updated and marked as reviewed.")
            return redirect("directory:listing-history", service.id)
    context = {
        "form": form,
        "service": service,
        "heading": "Edit the listing",
        "submit_label": "Save and publish",
        "back_url": reverse("directory:manage-listings"),
        "pending": moderation.pending_change(service),
        "show_note": True,
    }
    return render(request, "directory/manage/listing_form.html", context)


@moderate_required
@require_GET
def stale(request: HttpRequest) -> HttpResponse:
    services = reminders.stale_services()
    page = Paginator(services, LISTINGS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        (service, service.review_reminders.values_list("sent_at", flat=True).first())
        for service in page
    ]
    return render(request, "directory/manage/stale.html", {"page": page, "rows": rows})


urlpatterns = [
    path("manage/changes/", queue, name="moderation-queue"),
    path("manage/changes/<uuid:change_id>/", review, name="moderation-review"),
    path("manage/changes/<uuid:change_id>/approve/", approve, name="moderation-approve"),
    path("manage/changes/<uuid:change_id>/reject/", reject, name="moderation-reject"),
    path("manage/listings/", listing_list, name="manage-listings"),
    path("manage/listings/<uuid:service_id>/edit/", listing_edit, name="manage-listing-edit"),
    path("manage/stale/", stale, name="stale-listings"),
]
