"""The fund's public pages (funds, a fund with its rounds, a round's guidance) and fund
officers' pages that set funds and rounds up."""

import uuid

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.form_pages import form_page, initial_from, posted
from opendeal.core.permissions import staff_permission_required

from .. import round_events, rounds
from ..models import (
    ApplicationStatus,
    Criterion,
    EligibilityQuestion,
    FormQuestion,
    Fund,
    Priority,
    Round,
    Tier,
)
from ..round_forms import (
    CriterionForm,
    EligibilityQuestionForm,
    FormQuestionForm,
    FundForm,
    PriorityForm,
    RoundForm,
    TierForm,
)

manage_required = staff_permission_required("fund.manage_funds")

# The things a round holds, by the name used in their addresses: model, form, and the words
# for them.
ROUND_ITEMS = {
    "tiers": (Tier, TierForm, "tier"),
    "priorities": (Priority, PriorityForm, "priority"),
    "eligibility-questions": (EligibilityQuestion, EligibilityQuestionForm, "eligibility question"),
    "questions": (FormQuestion, FormQuestionForm, "question"),
    "criteria": (Criterion, CriterionForm, "criterion"),
}


# Public pages ---------------------------------------------------------------------------------


@require_GET
def fund_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    funds = (
        Fund.objects.filter(is_published=True)
        .annotate(
            open_rounds=Count(
                "rounds",
                filter=Q(
                    rounds__published=True, rounds__opens_at__lte=now, rounds__closes_at__gt=now
                ),
            )
        )
        .order_by("name")
    )
    return render(request, "fund/rounds/funds.html", {"funds": funds})


def _public_fund(fund_slug: str) -> Fund:
    return get_object_or_404(Fund, slug=fund_slug, is_published=True)


@require_GET
def fund_page(request: HttpRequest, fund_slug: str) -> HttpResponse:
    fund = _public_fund(fund_slug)
    now = timezone.now()
    published = fund.rounds.filter(published=True)
    context = {
        "fund": fund,
        "open_rounds": published.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at"),
        "upcoming_rounds": published.filter(opens_at__gt=now).order_by("opens_at"),
        "closed_rounds": published.filter(closes_at__lte=now).order_by("-closes_at"),
    }
    return render(request, "fund/rounds/fund.html", context)


@require_GET
def round_page(request: HttpRequest, fund_slug: str, round_slug: str) -> HttpResponse:
    fund = _public_fund(fund_slug)
    round_ = get_object_or_404(Round, fund=fund, slug=round_slug, published=True)
    context = {
        "fund": fund,
        "round": round_,
        "is_open": round_.is_open(),
        "has_closed": round_.has_closed(),
        "tiers": round_.tiers.all(),
        "priorities": round_.priorities.select_related("deal_theme"),
        "eligibility_questions": round_.eligibility_questions.all(),
        "form_questions": round_.form_questions.all(),
        "criteria": round_.criteria.all(),
    }
    return render(request, "fund/rounds/round.html", context)


# Staff: funds ---------------------------------------------------------------------------------


def _fund_url(fund: Fund) -> str:
    return reverse("fund:manage-fund", args=[fund.public_id])


def _round_url(round_: Round) -> str:
    return reverse("fund:manage-round", args=[round_.public_id])


@manage_required
@require_GET
def manage_home(request: HttpRequest) -> HttpResponse:
    funds = Fund.objects.prefetch_related("rounds").order_by("name")
    return render(request, "fund/rounds/manage.html", {"funds": funds})


@manage_required
@require_http_methods(["GET", "POST"])
def fund_create(request: HttpRequest) -> HttpResponse:
    return form_page(
        request,
        FundForm(posted(request)),
        lambda data: rounds.create_fund(request.user, **data),
        heading="Create a fund",
        caption="Manage funds",
        back_url=reverse("fund:manage"),
        done=lambda fund: (f"{fund.name} has been created.", _fund_url(fund)),
    )


@manage_required
@require_GET
def fund_overview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    fund = get_object_or_404(Fund, public_id=public_id)
    fund_rounds = fund.rounds.annotate(
        submitted=Count("applications", filter=~Q(applications__status__in=["draft", "withdrawn"]))
    ).order_by("-opens_at")
    return render(request, "fund/rounds/manage_fund.html", {"fund": fund, "rounds": fund_rounds})


@manage_required
@require_http_methods(["GET", "POST"])
def fund_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    fund = get_object_or_404(Fund, public_id=public_id)
    return form_page(
        request,
        FundForm(posted(request), initial=initial_from(fund, FundForm)),
        lambda data: rounds.update_fund(request.user, fund, **data),
        heading="Edit the fund",
        caption=fund.name,
        back_url=_fund_url(fund),
        done=lambda saved: (f"{saved.name} has been updated.", _fund_url(saved)),
    )


# Staff: rounds --------------------------------------------------------------------------------


@manage_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    fund = get_object_or_404(Fund, public_id=public_id)
    return form_page(
        request,
        RoundForm(posted(request)),
        lambda data: rounds.create_round(request.user, fund, **data),
        heading="Create a round",
        caption=fund.name,
        back_url=_fund_url(fund),
        done=lambda round_: (f"{round_.title} has been created.", _round_url(round_)),
    )


def _round(public_id: uuid.UUID) -> Round:
    return get_object_or_404(Round.objects.select_related("fund"), public_id=public_id)


@manage_required
@require_GET
def round_overview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    round_ = _round(public_id)
    counts = dict(
        round_.applications.values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    context = {
        "round": round_,
        "fund": round_.fund,
        "tiers": round_.tiers.all(),
        "priorities": round_.priorities.select_related("deal_theme"),
        "eligibility_questions": round_.eligibility_questions.all(),
        "form_questions": round_.form_questions.all(),
        "criteria": round_.criteria.all(),
        "status_counts": [
            (label, counts.get(value, 0)) for value, label in ApplicationStatus.choices
        ],
        "is_open": round_.is_open(),
        "round_events": round_events.round_events(round_),
        "can_manage_events": request.user.has_perm("events.manage_events"),
    }
    applications = list(
        round_.applications.exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation", "tier")
        .order_by("submitted_at")
    )
    # Whether someone from each applicant came to one of the round's events; only worth a
    # column when the round has events.
    attendance = (
        round_events.applicant_attendance(round_, applications) if context["round_events"] else {}
    )
    context["applications"] = [
        (application, attendance.get(application.pk)) for application in applications
    ]
    return render(request, "fund/rounds/manage_round.html", context)


@manage_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    round_ = _round(public_id)
    return form_page(
        request,
        RoundForm(posted(request), initial=initial_from(round_, RoundForm)),
        lambda data: rounds.update_round(request.user, round_, **data),
        heading="Edit the round",
        caption=round_.fund.name,
        back_url=_round_url(round_),
        done=lambda saved: (f"{saved.title} has been updated.", _round_url(saved)),
    )


def _item_kind(kind: str):
    if kind not in ROUND_ITEMS:
        raise Http404("No such part of a round.")
    return ROUND_ITEMS[kind]


@manage_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    round_ = _round(public_id)
    model, form_class, noun = _item_kind(kind)
    return form_page(
        request,
        form_class(posted(request)),
        lambda data: rounds.add_to_round(request.user, round_, model, **data),
        heading=f"Add a {noun}",
        caption=round_.title,
        back_url=_round_url(round_),
        done=lambda item: (f"The {noun} “{item}” has been added.", _round_url(round_)),
    )


@manage_required
@require_http_methods(["GET", "POST"])
def item_edit(
    request: HttpRequest, public_id: uuid.UUID, kind: str, item_id: uuid.UUID
) -> HttpResponse:
    round_ = _round(public_id)
    model, form_class, noun = _item_kind(kind)
    item = get_object_or_404(model, round=round_, public_id=item_id)
    initial = {name: getattr(item, name) for name in rounds.ROUND_ITEM_FIELDS[model]}
    if "deal_theme" in initial:
        initial["deal_theme"] = item.deal_theme_id
    return form_page(
        request,
        form_class(posted(request), initial=initial),
        lambda data: rounds.update_round_item(request.user, item, **data),
        heading=f"Edit the {noun}",
        caption=round_.title,
        back_url=_round_url(round_),
        done=lambda saved: (f"The {noun} “{saved}” has been updated.", _round_url(round_)),
    )


urlpatterns = [
    path("", fund_list, name="funds"),
    path("funds/<slug:fund_slug>/", fund_page, name="fund"),
    path("funds/<slug:fund_slug>/<slug:round_slug>/", round_page, name="round"),
    path("manage/", manage_home, name="manage"),
    path("manage/funds/new/", fund_create, name="manage-fund-create"),
    path("manage/funds/<uuid:public_id>/", fund_overview, name="manage-fund"),
    path("manage/funds/<uuid:public_id>/edit/", fund_edit, name="manage-fund-edit"),
    path("manage/funds/<uuid:public_id>/rounds/new/", round_create, name="manage-round-create"),
    path("manage/rounds/<uuid:public_id>/", round_overview, name="manage-round"),
    path("manage/rounds/<uuid:public_id>/edit/", round_edit, name="manage-round-edit"),
    path("manage/rounds/<uuid:public_id>/<slug:kind>/new/", item_create, name="manage-item-create"),
    path(
        "manage/rounds/<uuid:public_id>/<slug:kind>/<uuid:item_id>/edit/",
        item_edit,
        name="manage-item-edit",
    ),
]
