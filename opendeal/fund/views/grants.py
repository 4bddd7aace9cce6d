"""Grant pages for fund officers and the funded organisation: the agreement, the payment
schedule and payments, monitoring reports with their outcomes evidence, variations, and the one
step that publishes the project as a service in the community directory."""

import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.form_pages import form_page, posted
from opendeal.core.permissions import any_permission_required, staff_permission_required
from opendeal.directory.models import TaxonomyTerm

from .. import awarded, awards, directory_listing
from ..decide_forms import (
    PaymentForm,
    PublishForm,
    ReportForm,
    VariationDecisionForm,
    VariationForm,
)
from ..models import Grant, MonitoringReport, Payment, Variation, VariationStatus

officers = any_permission_required("fund.manage_grants", "fund.record_payments")
manage_required = staff_permission_required("fund.manage_grants")
payments_required = staff_permission_required("fund.record_payments")
# The publish page offers at most this many taxonomy terms (top-level first).
MOST_TERMS_OFFERED = 200


def _grant(public_id: uuid.UUID) -> Grant:
    return get_object_or_404(
        Grant.objects.select_related(
            "application__organisation", "application__round__fund", "application__tier"
        ),
        public_id=public_id,
    )


def _grant_url(grant: Grant) -> str:
    return reverse("fund:grant", args=[grant.public_id])


def _viewable(request: HttpRequest, grant: Grant) -> None:
    allowed, reason = awards.can_view_grant(request.user, grant)
    if not allowed:
        raise PermissionDenied(reason)


def _signed_in(view):
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@officers
@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    grants = Grant.objects.select_related(
        "application__organisation", "application__round__fund"
    ).order_by("-awarded_on", "-pk")
    return render(request, "fund/grants/list.html", {"grants": grants})


@_signed_in
@require_GET
def my_grants(request: HttpRequest) -> HttpResponse:
    """The grants of the organisations the signed-in person acts for."""
    grants = Grant.objects.filter(
        application__organisation__members__user=request.user
    ).select_related("application__organisation", "application__round__fund")
    return render(request, "fund/grants/yours.html", {"grants": grants.order_by("-awarded_on")})


@_signed_in
@require_GET
def grant_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    grant = _grant(public_id)
    _viewable(request, grant)
    payments = list(grant.payments.all())
    scheduled, paid = awards.payments_total(payments)
    user = request.user
    context = {
        "grant": grant,
        "application": grant.application,
        "payments": payments,
        "scheduled": scheduled,
        "paid": paid,
        "reports": grant.monitoring_reports.all(),
        "outcomes": awarded.grant_outcomes(grant),
        # Exact counts (never names) for those who manage grants; everyone else who may see
        # this page (the funded organisation, payments only) gets the public page's suppression.
        "care": awarded.care_figures(
            awarded.grant_care_outcomes(grant), exact=user.has_perm("fund.manage_grants")
        ),
        "variations": grant.variations.select_related("requested_by", "decided_by"),
        "service": directory_listing.published_service(grant),
        "is_member": awards.is_grant_member(user, grant),
        "can_manage": user.has_perm("fund.manage_grants"),
        "can_record_payments": user.has_perm("fund.record_payments"),
        "decision": grant.decision,
    }
    return render(request, "fund/grants/grant.html", context)


@_signed_in
@require_http_methods(["GET", "POST"])
def accept_agreement(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    grant = _grant(public_id)
    if not awards.is_grant_member(request.user, grant):
        raise PermissionDenied("Only someone who acts for the funded organisation can accept.")
    if request.method == "POST":
        awards.accept_agreement(request.user, grant)
        messages.success(request, "You have accepted the grant agreement.")
        return redirect(_grant_url(grant))
    payments = list(grant.payments.all())
    context = {"grant": grant, "application": grant.application, "payments": payments}
    return render(request, "fund/grants/accept.html", context)


@payments_required
@require_http_methods(["GET", "POST"])
def record_payment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("grant"), public_id=public_id)
    grant = payment.grant
    return form_page(
        request,
        PaymentForm(posted(request)),
        lambda data: awards.record_payment(request.user, payment, **data),
        heading=f"Record year {payment.year}'s payment of £{payment.amount:,.2f}",
        caption=str(grant.application),
        back_url=_grant_url(grant),
        done=lambda saved: (f"Year {saved.year}'s payment is recorded.", _grant_url(grant)),
    )


@_signed_in
@require_http_methods(["GET", "POST"])
def submit_report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = get_object_or_404(
        MonitoringReport.objects.select_related("grant__application"), public_id=public_id
    )
    grant = report.grant
    _viewable(request, grant)
    initial = {
        "people_reached": report.people_reached,
        "volunteers": report.volunteers,
        "activities": report.activities,
        "narrative": report.narrative,
    }
    return form_page(
        request,
        ReportForm(posted(request), initial=initial),
        lambda data: awards.submit_report(request.user, report, **data),
        heading=f"Monitoring report due {report.due_on:%-d %B %Y}",
        caption=str(grant.application),
        back_url=_grant_url(grant),
        done=lambda saved: ("Thank you: the monitoring report is saved.", _grant_url(grant)),
    )


@_signed_in
@require_http_methods(["GET", "POST"])
def request_variation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    grant = _grant(public_id)
    _viewable(request, grant)
    return form_page(
        request,
        VariationForm(posted(request)),
        lambda data: awards.request_variation(
            request.user,
            grant,
            description=data["description"],
            amount_change=data["amount_change"] or 0,
        ),
        heading="Ask for a variation",
        caption=str(grant.application),
        back_url=_grant_url(grant),
        done=lambda saved: ("The variation has been requested.", _grant_url(grant)),
    )


@manage_required
@require_http_methods(["GET", "POST"])
def decide_variation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    variation = get_object_or_404(
        Variation.objects.select_related("grant__application"),
        public_id=public_id,
        status=VariationStatus.REQUESTED,
    )
    grant = variation.grant
    change = (
        f"£{variation.amount_change:+,.2f}" if variation.amount_change else "no change of money"
    )
    return form_page(
        request,
        VariationDecisionForm(posted(request)),
        lambda data: awards.decide_variation(request.user, variation, **data),
        heading=f"Decide the variation ({change})",
        caption=f"{grant.application}: {variation.description[:80]}",
        back_url=_grant_url(grant),
        done=lambda saved: (
            f"The variation is {saved.get_status_display().lower()}.",
            _grant_url(grant),
        ),
    )


@manage_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    grant = _grant(public_id)
    gap_terms = directory_listing.gap_term_ids(grant)
    terms = list(TaxonomyTerm.objects.order_by("parent_id", "name")[:MOST_TERMS_OFFERED])
    offered = {term.id for term in terms}
    terms += TaxonomyTerm.objects.filter(id__in=[t for t in gap_terms if t not in offered])
    # The gaps' terms start ticked: without them the service would not close its gap on the map.
    form = PublishForm(
        posted(request), terms=terms, initial={"taxonomy_terms": [str(t) for t in gap_terms]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            directory_listing.publish_to_directory(
                request.user,
                grant,
                taxonomy_term_ids=[uuid.UUID(term) for term in form.cleaned_data["taxonomy_terms"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{grant.application} is now a service in the directory.")
            return redirect(_grant_url(grant))
    context = {
        "form": form,
        "grant": grant,
        "application": grant.application,
        "service": directory_listing.published_service(grant),
        "answers_gaps": bool(gap_terms),
    }
    return render(request, "fund/grants/publish.html", context)


urlpatterns = [
    path("grants/manage/", grant_list, name="grant-list"),
    path("grants/yours/", my_grants, name="my-grants"),
    path("grants/<uuid:public_id>/manage/", grant_detail, name="grant"),
    path("grants/<uuid:public_id>/accept/", accept_agreement, name="grant-accept"),
    path("grants/<uuid:public_id>/variations/new/", request_variation, name="variation-request"),
    path("grants/<uuid:public_id>/publish/", publish, name="grant-publish"),
    path("grants/payments/<uuid:public_id>/", record_payment, name="payment-record"),
    path("grants/reports/<uuid:public_id>/", submit_report, name="report-submit"),
    path("grants/variations/<uuid:public_id>/", decide_variation, name="variation-decide"),
]
