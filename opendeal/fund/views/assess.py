"""Assessment pages: officers check eligibility, panel members declare conflicts and score,
officers moderate the ranking and decide; letters are read and printed here.

A panel member who declared a conflict of interest in an application gets 403 for its pages,
with a page saying they declared a conflict and so cannot see or score it (they know the
application exists, so this tells them nothing), and each attempt is audited
(scoring.application_for_panel_member). Anyone else keeps the refusal they had.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.form_pages import form_page, posted
from opendeal.core.permissions import any_permission_required, staff_permission_required

from .. import decisions, round_events, scoring
from ..decide_forms import ConflictForm, DecisionForm, EligibilityForm, ScoreForm
from ..models import Application, ApplicationStatus, Decision, DecisionOutcome, Round
from .conflicts import refuses_conflicted

SCORE = "fund.score_applications"
CHECK = "fund.check_eligibility"
DECIDE = "fund.decide_applications"
assessors = any_permission_required(SCORE, CHECK, DECIDE)
panel_required = staff_permission_required(SCORE)
check_required = staff_permission_required(CHECK)
decide_required = staff_permission_required(DECIDE)


def _round(public_id: uuid.UUID) -> Round:
    return get_object_or_404(Round.objects.select_related("fund"), public_id=public_id)


def _application(public_id: uuid.UUID) -> Application:
    return get_object_or_404(
        Application.objects.select_related("round__fund", "organisation", "tier"),
        public_id=public_id,
    )


def _round_url(round_: Round) -> str:
    return reverse("fund:assess-round", args=[round_.public_id])


def _application_details(application: Application) -> dict:
    """What assessors read: the answers, budget and match funding, and whether it answers a
    recorded gap (scored automatically when the round weights it)."""
    return {
        "recorded_gap": scoring.recorded_gap_criterion(application),
        "answers": application.answers.select_related("question").order_by("question__position"),
        "budget_lines": application.budget_lines.all(),
        "match_funding": application.match_funding.all(),
        "priorities": application.priorities.all(),
        "partners": application.partners.select_related("organisation"),
        "documents": application.documents.all(),
    }


@assessors
@require_GET
def assess_home(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.select_related("fund").order_by("-closes_at")
    return render(request, "fund/assess/home.html", {"rounds": rounds})


@assessors
@require_GET
def assess_round(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    round_ = _round(public_id)
    user = request.user
    context = {"round": round_, "is_officer": user.has_perm(CHECK) or user.has_perm(DECIDE)}
    if context["is_officer"]:
        context["to_check"] = round_.applications.filter(
            status=ApplicationStatus.SUBMITTED
        ).select_related("organisation")
        context["checked"] = round_.applications.filter(
            status__in=[*scoring.SCOREABLE_STATUSES, ApplicationStatus.INELIGIBLE]
        ).select_related("organisation")
    if user.has_perm(SCORE):
        to_score = scoring.applications_to_score(user, round_)
        complete = round_.criteria.count()
        scored = {
            row["application"]
            for row in user.fund_scores.filter(application__round=round_)
            .values("application")
            .annotate(count=Count("pk"))
            if row["count"] == complete
        }
        context["to_score"] = [(application, application.pk in scored) for application in to_score]
        context["conflicts"] = user.fund_conflicts.filter(round=round_).select_related(
            "application__organisation"
        )
        context["scoring_closed"] = round_.scoring_is_closed()
    return render(request, "fund/assess/round.html", context)


# Eligibility ----------------------------------------------------------------------------------


@check_required
@require_http_methods(["GET", "POST"])
def eligibility(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(public_id)
    form = EligibilityForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decisions.check_eligibility(
                request.user,
                application,
                eligible=form.cleaned_data["outcome"] == "eligible",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Eligibility recorded for {application}.")
            return redirect(_round_url(application.round))
    context = {
        "form": form,
        "application": application,
        "eligibility_answers": application.eligibility_answers.select_related("question"),
        "latest": decisions.latest_eligibility_check(application),
        **_application_details(application),
    }
    return render(request, "fund/assess/eligibility.html", context)


# Panel scoring --------------------------------------------------------------------------------


def _for_panel(request: HttpRequest, application: Application) -> None:
    """Raises ConflictedAccess (the 403 page, via `refuses_conflicted`) or PermissionDenied."""
    scoring.application_for_panel_member(request.user, application)


@panel_required
@require_http_methods(["GET", "POST"])
@refuses_conflicted
def score(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(public_id)
    _for_panel(request, application)
    round_ = application.round
    criteria = list(round_.criteria.all())
    mine = scoring.own_scores(request.user, application)
    initial = {}
    for criterion_id, given in mine.items():
        initial[f"score_{criterion_id}"] = given.score
        initial[f"comment_{criterion_id}"] = given.comment
    form = ScoreForm(posted(request), initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        sheet = {
            key: scoring.CriterionScore(value, comment)
            for key, (value, comment) in form.scoresheet().items()
        }
        try:
            scoring.record_scores(request.user, application, sheet)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your scores for {application} are saved.")
            return redirect(_round_url(round_))
    all_allowed, independence_reason = scoring.can_see_all_scores(request.user, round_)
    details = _application_details(application)
    context = {
        "form": form,
        "application": application,
        "round": round_,
        "scoring_closed": round_.scoring_is_closed(),
        "others": _score_table(
            application,
            scoring.visible_scores(request.user, application),
            details["recorded_gap"],
        )
        if all_allowed
        else None,
        "independence_reason": independence_reason,
        **details,
    }
    return render(request, "fund/assess/score.html", context)


def _score_table(
    application: Application, scores, recorded_gap: scoring.RecordedGapCriterion
) -> dict:
    """Scores as rows of criteria by columns of panel members, with each member's weighted
    score; the automatic "answers a recorded gap" criterion apart, as `recorded_gap` (the one
    `_application_details` read)."""
    criteria = list(application.round.criteria.all())
    members = sorted({score.panel_member for score in scores}, key=lambda member: member.pk)
    by_key = {(score.criterion_id, score.panel_member_id): score for score in scores}
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    totals = []
    for member in members:
        sheet = {
            criterion_id: score.score
            for (criterion_id, member_id), score in by_key.items()
            if member_id == member.pk
        }
        totals.append(scoring.weighted_score(sheet, weights, recorded_gap))
    rows = [
        (criterion, [by_key.get((criterion.pk, member.pk)) for member in members])
        for criterion in criteria
    ]
    return {"members": members, "rows": rows, "totals": totals, "recorded_gap": recorded_gap}


@panel_required
@require_http_methods(["GET", "POST"])
@refuses_conflicted
def declare_conflict(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(public_id)
    if application.status not in scoring.SCOREABLE_STATUSES:
        raise Http404("No application here.")
    scoring.refuse_conflicted(request.user, application)
    return form_page(
        request,
        ConflictForm(posted(request)),
        lambda data: scoring.declare_conflict(request.user, application, data["reason"]),
        heading="Declare a conflict of interest",
        caption=str(application),
        back_url=_round_url(application.round),
        done=lambda conflict: (
            "Your conflict of interest is recorded. You will not see or score this application.",
            _round_url(application.round),
        ),
    )


# Moderation and decisions ---------------------------------------------------------------------


@decide_required
@require_GET
def moderation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    round_ = _round(public_id)
    committed = decisions.committed(round_)
    context = {
        "round": round_,
        "rows": scoring.ranking(round_),
        "criteria": round_.criteria.all(),
        "committed": committed,
        "remaining": round_.budget - committed,
        "disagreement_range": scoring.DISAGREEMENT_RANGE,
    }
    return render(request, "fund/assess/moderation.html", context)


@decide_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = _application(public_id)
    round_ = application.round
    form = DecisionForm(
        posted(request), initial={"amount": f"{application.amount_requested or ''}"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = decisions.decide(
                request.user,
                application,
                outcome=data["outcome"],
                reason=data["reason"],
                amount=data["amount"],
                planned_start=data["planned_start"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"{decision.get_outcome_display()}: {application}. The letter has been sent.",
            )
            return redirect(reverse("fund:decision-letter", args=[decision.public_id]))
    details = _application_details(application)
    table = _score_table(
        application, scoring.visible_scores(request.user, application), details["recorded_gap"]
    )
    committed = decisions.committed(round_)
    context = {
        "form": form,
        "application": application,
        "round": round_,
        "scores": table,
        "spread": scoring.spread(total for total in table["totals"] if total is not None),
        "remaining": round_.budget - committed,
        "decisions": application.decisions.select_related("decided_by"),
        "replies": application.decisions.filter(replied_at__isnull=False).select_related(
            "replied_by"
        ),
        "is_decidable": application.status in decisions.DECIDABLE_STATUSES,
        # Officers only: whether someone from the applicant came to the round's events.
        "attendance": round_events.applicant_attendance(round_, [application])[application.pk]
        if round_.events.exists()
        else None,
        **details,
    }
    return render(request, "fund/assess/decide.html", context)


def _add_errors(form, error: ValidationError) -> None:
    """The action's errors beside their fields where the form has them."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@require_GET
def decision_letter(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    decision = get_object_or_404(
        Decision.objects.select_related("application__organisation", "application__round__fund"),
        public_id=public_id,
    )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowed, reason = decisions.can_read_letter(request.user, decision)
    if not allowed:
        raise PermissionDenied(reason)
    grant = getattr(decision, "grant", None) if decision.outcome == DecisionOutcome.AWARD else None
    context = {"decision": decision, "application": decision.application, "grant": grant}
    return render(request, "fund/assess/letter.html", context)


urlpatterns = [
    path("assess/", assess_home, name="assess"),
    path("assess/rounds/<uuid:public_id>/", assess_round, name="assess-round"),
    path("assess/rounds/<uuid:public_id>/moderation/", moderation, name="moderation"),
    path("assess/applications/<uuid:public_id>/eligibility/", eligibility, name="eligibility"),
    path("assess/applications/<uuid:public_id>/score/", score, name="score"),
    path("assess/applications/<uuid:public_id>/conflict/", declare_conflict, name="conflict"),
    path("assess/applications/<uuid:public_id>/decide/", decide, name="decide"),
    path("decisions/<uuid:public_id>/letter/", decision_letter, name="decision-letter"),
]
