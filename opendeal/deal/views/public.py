"""The public Deal: the whole Deal, each theme, each commitment, and the scorecard with its
CSV and JSON downloads. Read-only, open to everyone, and working without JavaScript."""

import csv
import json
import uuid

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from opendeal.deal import selectors
from opendeal.deal.charts import Bar, bar_chart
from opendeal.deal.models import Status
from opendeal.deal.read_models import DealView, Scorecard
from opendeal.deal.scorecard_export import (
    SCORECARD_COLUMNS,
    scorecard_document,
    scorecard_records,
    spreadsheet_safe,
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    deal = selectors.current_deal()
    return render(request, "deal/public/home.html", {"deal": deal})


@require_safe
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    deal = selectors.current_deal()
    context = {"deal": deal, "theme": deal.theme(slug)}
    return render(request, "deal/public/theme.html", context)


@require_safe
def commitment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    page = selectors.commitment_page(public_id)
    context = {"page": page, "commitment": page.commitment}
    return render(request, "deal/public/commitment.html", context)


class ScorecardFilterForm(forms.Form):
    theme = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *Status.choices])

    def __init__(self, deal: DealView, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "All themes")] + [
            (theme.slug, theme.title) for theme in deal.themes
        ]


def _filtered_scorecard(request: HttpRequest) -> tuple[Scorecard, ScorecardFilterForm]:
    """The scorecard with the GET filters applied; filters that are not valid are ignored (and
    the form shows why)."""
    card = selectors.scorecard()
    form = ScorecardFilterForm(card.deal, request.GET or None)
    if form.is_bound and form.is_valid():
        card = selectors.filter_scorecard(
            card.deal, form.cleaned_data["theme"], form.cleaned_data["status"]
        )
    return card, form


@require_safe
def scorecard(request: HttpRequest) -> HttpResponse:
    card, form = _filtered_scorecard(request)
    counts = card.deal.status_counts
    chart = bar_chart(
        [Bar(count.label, count.count, count.status.replace("_", "-")) for count in counts],
        chart_id="status-chart",
        title="Our part commitments by status",
    )
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    context = {
        "card": card,
        "deal": card.deal,
        "form": form,
        "status_counts": counts,
        "status_chart": chart,
        "download_query": f"?{query}" if query else "",
    }
    return render(request, "deal/public/scorecard.html", context)


def _download_name(card: Scorecard, extension: str) -> str:
    return f"{card.deal.slug}-scorecard.{extension}"


@require_safe
def scorecard_csv(request: HttpRequest) -> HttpResponse:
    card, _ = _filtered_scorecard(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(card, "csv")}"'
    writer = csv.DictWriter(response, fieldnames=SCORECARD_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(spreadsheet_safe(record) for record in scorecard_records(card))
    return response


@require_safe
def scorecard_json(request: HttpRequest) -> HttpResponse:
    card, _ = _filtered_scorecard(request)
    body = json.dumps(scorecard_document(card), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body + "\n", content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(card, "json")}"'
    return response


urlpatterns = [
    path("", home, name="home"),
    path("themes/<slug:slug>/", theme, name="theme"),
    path("commitments/<uuid:public_id>/", commitment, name="commitment"),
    path("scorecard/", scorecard, name="scorecard"),
    path("scorecard.csv", scorecard_csv, name="scorecard-csv"),
    path("scorecard.json", scorecard_json, name="scorecard-json"),
]
