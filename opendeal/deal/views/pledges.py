"""Residents' pledges: sign up, confirm by email, see and withdraw your pledges, public totals.

Pages anyone can reach set no cookie beyond CSRF's: outcomes are carried in the signed link or
the query string, not in the session or the messages framework.
"""

import csv
import uuid
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opendeal.core.models import User

from .. import pledges, selectors
from ..charts import Bar, bar_chart
from ..models import Commitment, Pledge, PledgeStatus, Theme
from ..pledge_forms import ManageLinkForm, PledgeForm

SIGNED_SESSION_KEY = "opendeal_pledges_signed"


# Signing up


@require_http_methods(["GET", "POST"])
def pledge(request: HttpRequest) -> HttpResponse:
    deal = selectors.latest_published_deal()
    user = request.user if request.user.is_authenticated else None
    form = PledgeForm(request.POST if request.method == "POST" else None, deal=deal, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            signed = pledges.sign_pledges(
                form.cleaned_data["commitments"],
                form.cleaned_data.get("email"),
                postcode=form.cleaned_data.get("postcode"),
                user=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if user is None:
                return redirect("deal:pledge-check-email")
            request.session[SIGNED_SESSION_KEY] = [str(item.public_id) for item in signed]
            return redirect("deal:pledge-signed")
    totals = pledges.pledge_totals(deal) if deal else None
    context = {
        "deal": deal,
        "form": form,
        "themes": _options_by_theme(form, totals),
        "totals": totals,
        "signed_ids": _signed_commitment_ids(user),
    }
    return render(request, "deal/pledge/pledge.html", context)


def _signed_commitment_ids(user: User | None) -> set[int]:
    if user is None:
        return set()
    active = pledges.pledges_for_user(user).filter(status=PledgeStatus.ACTIVE)
    return set(active.values_list("commitment_id", flat=True))


@dataclass(frozen=True)
class PledgeOption:
    option: BoundWidget  # the checkbox, with its id and whether it is ticked
    commitment: Commitment
    total: int


def _options_by_theme(
    form: PledgeForm, totals: pledges.PledgeTotals | None
) -> list[tuple[Theme, list[PledgeOption]]]:
    """The form's checkboxes grouped under their theme, each with its current total."""
    counts = totals.by_commitment if totals else {}
    options = []
    for option in form["commitments"]:
        commitment = option.data["value"].instance
        options.append(PledgeOption(option, commitment, counts.get(commitment.pk, 0)))
    return [
        (theme, list(items))
        for theme, items in groupby(options, key=lambda item: item.commitment.theme)
    ]


def _link_age() -> dict:
    return {"max_age_days": settings.OPENDEAL_SIGNED_LINK_MAX_AGE_DAYS}


@require_GET
def check_your_email(request: HttpRequest) -> HttpResponse:
    return render(request, "deal/pledge/check_your_email.html", _link_age())


@login_required
@require_GET
def signed(request: HttpRequest) -> HttpResponse:
    """The account flow's confirmation panel."""
    ids = request.session.get(SIGNED_SESSION_KEY, [])
    items = pledges.pledges_for_user(request.user).filter(
        public_id__in=ids, status=PledgeStatus.ACTIVE
    )
    if not items:
        return redirect("deal:pledges-yours")
    return render(request, "deal/pledge/confirmed.html", {"pledges": items, "has_account": True})


# Confirming by email


def _invalid_link(request: HttpRequest, error: pledges.InvalidPledgeLink) -> HttpResponse:
    return render(request, "deal/pledge/invalid_link.html", {"error": error}, status=400)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows the button: mail scanners open links, and must not confirm anything."""
    try:
        confirmation = pledges.read_confirmation_token(token)
        if request.method == "POST":
            pledges.confirm_pledges(token)
            return redirect("deal:pledge-confirmed", token=token)
    except pledges.InvalidPledgeLink as error:
        return _invalid_link(request, error)
    items = pledges.confirmation_pledges(confirmation).exclude(status=PledgeStatus.WITHDRAWN)
    return render(request, "deal/pledge/confirm.html", {"pledges": items, "token": token})


@require_GET
def confirmed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        confirmation = pledges.read_confirmation_token(token)
    except pledges.InvalidPledgeLink as error:
        return _invalid_link(request, error)
    items = pledges.confirmation_pledges(confirmation).filter(status=PledgeStatus.ACTIVE)
    if not items:
        return redirect("deal:pledge-confirm", token=token)
    context = {"pledges": items, "manage_token": pledges.make_manage_token(items[0])}
    return render(request, "deal/pledge/confirmed.html", context)


# Seeing and withdrawing your pledges


def _withdrawn_pledge(request: HttpRequest, candidates) -> Pledge | None:
    """The pledge named by ?withdrawn=, for the success banner, if it is one of the caller's."""
    try:
        public_id = uuid.UUID(request.GET.get("withdrawn", ""))
    except ValueError:
        return None
    return candidates.filter(public_id=public_id, status=PledgeStatus.WITHDRAWN).first()


@login_required
@require_GET
def yours(request: HttpRequest) -> HttpResponse:
    context = {
        "pledges": pledges.pledges_for_user(request.user),
        "withdrawn": _withdrawn_pledge(request, Pledge.objects.filter(user=request.user)),
    }
    return render(request, "deal/pledge/yours.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    item = get_object_or_404(Pledge, public_id=public_id)
    pledges.withdraw_pledge(item, by_user=request.user)  # PermissionDenied -> 403
    return redirect(f"{reverse('deal:pledges-yours')}?withdrawn={item.public_id}")


@require_http_methods(["GET", "POST"])
def manage_request(request: HttpRequest) -> HttpResponse:
    form = ManageLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pledges.send_manage_link(form.cleaned_data["email"])
        return redirect("deal:pledge-manage-sent")
    return render(request, "deal/pledge/manage_request.html", {"form": form})


@require_GET
def manage_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "deal/pledge/manage_sent.html", _link_age())


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = pledges.read_manage_token(token)
    except pledges.InvalidPledgeLink as error:
        return _invalid_link(request, error)
    items = pledges.pledges_for_email(email)
    context = {"pledges": items, "token": token, "withdrawn": _withdrawn_pledge(request, items)}
    return render(request, "deal/pledge/manage.html", context)


@require_POST
def manage_withdraw(request: HttpRequest, token: str, public_id: uuid.UUID) -> HttpResponse:
    try:
        email = pledges.read_manage_token(token)
    except pledges.InvalidPledgeLink as error:
        return _invalid_link(request, error)
    item = get_object_or_404(Pledge, public_id=public_id)
    pledges.withdraw_pledge(item, by_email=email)  # PermissionDenied -> 403
    return redirect(f"{reverse('deal:pledge-manage', args=[token])}?withdrawn={item.public_id}")


# Public totals


CHART_DISTRICTS = 30


def _totals_rows(deal) -> tuple[pledges.PledgeTotals, list]:
    totals = pledges.pledge_totals(deal)
    commitments = pledges.pledgeable_commitments(deal)
    rows = [(commitment, totals.by_commitment.get(commitment.pk, 0)) for commitment in commitments]
    return totals, rows


@require_GET
def totals(request: HttpRequest) -> HttpResponse:
    deal = selectors.latest_published_deal()
    if deal is None:
        return render(request, "deal/pledge/totals.html", {"deal": None})
    pledge_totals, rows = _totals_rows(deal)
    districts = pledge_totals.by_district
    context = {
        "deal": deal,
        "totals": pledge_totals,
        "rows": rows,
        "commitment_chart": bar_chart(
            [Bar(commitment.reference, count) for commitment, count in rows],
            chart_id="pledges-by-commitment",
            title="Pledges made, by pledge",
        ),
        "district_chart": bar_chart(
            [Bar(district, count) for district, count in districts[:CHART_DISTRICTS]],
            chart_id="pledges-by-district",
            title="Pledges made, by postcode district",
        ),
        "districts_left_out": max(len(districts) - CHART_DISTRICTS, 0),
    }
    return render(request, "deal/pledge/totals.html", context)


def _csv_safe(text: str) -> str:
    """Stop a spreadsheet reading a title as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@require_GET
def totals_csv(request: HttpRequest) -> HttpResponse:
    deal = selectors.latest_published_deal()
    if deal is None:
        raise Http404("There is no published Deal.")
    pledge_totals, rows = _totals_rows(deal)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pledge-totals.csv"'
    writer = csv.writer(response)
    writer.writerow(["breakdown", "reference", "name", "measure", "count"])
    for commitment, count in rows:
        writer.writerow(
            ["pledge", commitment.reference, _csv_safe(commitment.title), "active pledges", count]
        )
    for district, count in pledge_totals.by_district:
        writer.writerow(["postcode district", district, district, "active pledges", count])
    writer.writerow(["all", "", "All pledges", "active pledges", pledge_totals.total_pledges])
    writer.writerow(["all", "", "All pledges", "people", pledge_totals.total_people])
    return response


urlpatterns = [
    path("pledge/", pledge, name="pledge"),
    path("pledge/check-your-email/", check_your_email, name="pledge-check-email"),
    path("pledge/signed/", signed, name="pledge-signed"),
    path("pledge/confirm/<str:token>/", confirm, name="pledge-confirm"),
    path("pledge/confirm/<str:token>/done/", confirmed, name="pledge-confirmed"),
    path("pledge/yours/", yours, name="pledges-yours"),
    path("pledge/yours/<uuid:public_id>/withdraw/", withdraw, name="pledge-withdraw"),
    path("pledge/manage/", manage_request, name="pledge-manage-request"),
    path("pledge/manage/sent/", manage_sent, name="pledge-manage-sent"),
    path("pledge/manage/<str:token>/", manage, name="pledge-manage"),
    path(
        "pledge/manage/<str:token>/withdraw/<uuid:public_id>/",
        manage_withdraw,
        name="pledge-manage-withdraw",
    ),
    path("pledge/totals/", totals, name="pledge-totals"),
    path("pledge/totals.csv", totals_csv, name="pledge-totals-csv"),
]
