"""The Deal's open data API, mounted at /api/deal: the published Deal with its roll-ups, each
commitment with its figures and timeline, and pledge totals. Read-only and anonymous."""

import dataclasses
import uuid

from django.http import HttpRequest
from ninja import Router

from . import selectors
from .read_models import DealView, PublicPledgeTotals
from .schemas import CommitmentDetailOut, DealOut, PledgeTotalsOut, problem_responses

router = Router()


@router.get(
    "",
    response=DealOut,
    openapi_extra=problem_responses(404),
    summary="The published Deal",
    description=(
        "Every theme with its our-part and your-part commitments, each commitment's status, "
        "progress and measures with their latest figures, and the theme and Deal roll-ups. "
        "404 when no Deal is published."
    ),
)
def get_deal(request: HttpRequest) -> DealView:
    return selectors.current_deal()


@router.get(
    "/commitments/{public_id}",
    response=CommitmentDetailOut,
    openapi_extra=problem_responses(404, 422),
    summary="One commitment",
    description=(
        "A commitment of the published Deal with every measure's figures and milestones and its "
        "timeline, newest first. 404 for an unknown id; 422 when the id is not a UUID."
    ),
)
def get_commitment(request: HttpRequest, public_id: uuid.UUID) -> dict:
    page = selectors.commitment_page(public_id)
    commitment = page.commitment
    return {
        **{field.name: getattr(commitment, field.name) for field in dataclasses.fields(commitment)},
        "deal_title": page.deal_title,
        "theme": {"slug": page.theme_slug, "title": page.theme_title},
        "timeline": page.timeline,
    }


@router.get(
    "/pledges/totals",
    response=PledgeTotalsOut,
    openapi_extra=problem_responses(404),
    summary="Pledge totals",
    description=(
        "How many active pledges residents have made to the published Deal: in all, by "
        "commitment and by postcode district. Never a name, email address or full postcode."
    ),
)
def get_pledge_totals(request: HttpRequest) -> PublicPledgeTotals:
    return selectors.pledge_totals()
