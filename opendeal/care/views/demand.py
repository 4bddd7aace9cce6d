"""The demand dashboard and the gap map: figures for team managers (their teams) and the council
(`care.view_demand`), never a person's record. Fund officers also see the gap map and turn gaps
into a round's priorities."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from opendeal.core.permissions import any_permission_required, staff_permission_required
from opendeal.deal.charts import Bar, bar_chart, line_chart
from opendeal.fund.models import Round

from .. import demand, gaps
from ..demand_forms import COUNCIL, DemandForm, GapForm, GapPrioritiesForm, default_period
from ..models import Team
from ..scoring import SWEMWBS_COPYRIGHT

VIEW_DEMAND = "care.view_demand"
MANAGE_TEAM_PEOPLE = "care.manage_team_people"
MANAGE_FUNDS = "fund.manage_funds"
GAPS_SHOWN = 100


def _scope_choices(user) -> tuple[list[tuple[str, str]], dict[str, demand.Scope]]:
    choices, scopes = [], {}
    if user.has_perm(VIEW_DEMAND):
        choices.append((COUNCIL, "The whole council"))
        scopes[COUNCIL] = demand.Scope("The whole council")
    if user.has_perm(MANAGE_TEAM_PEOPLE):
        for team in Team.objects.filter(managers=user):
            key = str(team.public_id)
            choices.append((key, team.name))
            scopes[key] = demand.Scope(team.name, (team.pk,))
    return choices, scopes


@any_permission_required(VIEW_DEMAND, MANAGE_TEAM_PEOPLE)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    choices, scopes = _scope_choices(request.user)
    if not choices:
        raise PermissionDenied(
            "You manage no team, and your role does not include the council's figures."
        )
    asked = request.GET.get("scope")
    if asked and asked not in scopes:
        # Another team's figures: as if it did not exist.
        raise Http404("There is no such team.")
    first, last = default_period()
    initial = {
        "scope": choices[0][0],
        "first": first,
        "last": last,
        "weeks": demand.DEFAULT_WEEKS_OF_CARE,
    }
    form = DemandForm(
        {**initial, **request.GET.dict()} if request.GET else None,
        initial=initial,
        scope_choices=choices,
    )
    context = {
        "form": form,
        "small_number": demand.SMALL_NUMBER,
        "swemwbs_copyright": SWEMWBS_COPYRIGHT,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "care/demand/dashboard.html", context)
    values = form.cleaned_data if form.is_bound else initial
    board = demand.dashboard(
        scopes[values["scope"]],
        values["first"],
        values["last"],
        split_on=values.get("split_on"),
        baseline_rate=values.get("baseline_rate"),
        weeks=values.get("weeks") or demand.DEFAULT_WEEKS_OF_CARE,
    )
    context.update(board=board, charts=_charts(board), census_file=demand.CENSUS_FILE)
    return render(request, "care/demand/dashboard.html", context)


def _charts(board: demand.Dashboard) -> dict:
    months = board.whole.months
    shown = [month for month in months if not month.contacts.suppressed]
    charts = {
        "contacts": line_chart(
            [(month.month, Decimal(month.contacts.value)) for month in shown],
            chart_id="demand-contacts",
            title="Contacts each month",
            unit="contacts",
        ),
        "share": line_chart(
            [
                (month.month, month.share_without_formal_care)
                for month in months
                if month.share_without_formal_care is not None
            ],
            chart_id="demand-share",
            title="Share of contacts resolved without formal care, each month",
            unit="%",
        ),
        "wellbeing": line_chart(
            [(c.month, c.mean_change) for c in board.whole.cohorts if c.mean_change is not None],
            chart_id="demand-wellbeing",
            title="Mean change in SWEMWBS metric score, by month of first contact",
            unit="points",
        ),
    }
    if board.before and board.after:
        # A team against its own earlier period (its packages a year); the council per adults.
        rate = "long_term_a_year" if board.is_team else "long_term_per_100k_a_year"
        bars = [
            Bar(label, int(value), display=f"{value}")
            for label, value in (
                ("Before", getattr(board.before, rate)),
                ("After", getattr(board.after, rate)),
            )
            if value is not None
        ]
        charts["rates"] = bar_chart(
            bars,
            chart_id="demand-rates",
            title=(
                "New long-term packages a year in this team, before and after"
                if board.is_team
                else "New long-term packages a year per 100,000 adults, before and after"
            ),
        )
    return charts


# The gap map ---------------------------------------------------------------------------------


def _gap_choices(request: HttpRequest) -> tuple[GapForm, int, str]:
    form = GapForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["distance"], form.cleaned_data["level"]
    return form, gaps.DEFAULT_DISTANCE_METRES, "lsoa"


def _open_rounds():
    return Round.objects.filter(closes_at__gt=timezone.now()).select_related("fund")


@any_permission_required(VIEW_DEMAND, MANAGE_FUNDS)
@require_GET
def gap_map(request: HttpRequest) -> HttpResponse:
    form, distance, level = _gap_choices(request)
    found = gaps.find_gaps(distance)
    areas = sorted(
        gaps.gaps_by_area(found, level).values(), key=lambda area: (-area.weighted, area.name)
    )
    can_make_priorities = request.user.has_perm(MANAGE_FUNDS)
    return render(
        request,
        "care/demand/gaps.html",
        {
            "form": form,
            "distance": distance,
            "distance_km": f"{distance / 1000:g}",
            "level": level,
            "gaps": found[:GAPS_SHOWN],
            "gap_count": len(found),
            "gaps_shown": GAPS_SHOWN,
            "areas": areas,
            "priorities_form": (
                GapPrioritiesForm(
                    initial={"distance": distance},
                    rounds=_open_rounds(),
                    gap_keys=[gap.key for gap in found],
                )
                if can_make_priorities
                else None
            ),
            "map_url": reverse("care:gap-map-json") + f"?distance={distance}&level={level}",
            "map": {
                "tile_url": settings.OPENDEAL_MAP_TILE_URL,
                "attribution": settings.OPENDEAL_MAP_ATTRIBUTION,
            },
        },
    )


@any_permission_required(VIEW_DEMAND, MANAGE_FUNDS)
@require_GET
def gap_map_json(request: HttpRequest) -> JsonResponse:
    _, distance, level = _gap_choices(request)
    return JsonResponse(gaps.choropleth(gaps.find_gaps(distance), level))


@staff_permission_required(MANAGE_FUNDS)
@require_POST
def gap_priorities(request: HttpRequest) -> HttpResponse:
    distance = request.POST.get("distance", "")
    distance = int(distance) if distance.isdigit() else gaps.DEFAULT_DISTANCE_METRES
    found = gaps.find_gaps(distance)
    rounds = _open_rounds()
    form = GapPrioritiesForm(request.POST, rounds=rounds, gap_keys=[gap.key for gap in found])
    back = reverse("care:gaps") + f"?distance={distance}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    round_ = rounds.get(public_id=form.cleaned_data["round"])
    try:
        created = gaps.create_priorities(
            request.user, round_, form.cleaned_data["gaps"], form.cleaned_data["distance"]
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect(back)
    count = len(created)
    skipped = len(form.cleaned_data["gaps"]) - count
    message = f"Added {count} {'priority' if count == 1 else 'priorities'} to {round_}."
    if skipped:
        message += f" {skipped} {'was' if skipped == 1 else 'were'} already among its priorities."
    messages.success(request, message)
    return redirect(back)
