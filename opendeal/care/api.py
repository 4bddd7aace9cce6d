"""The care API, mounted at /api/care: the records of people a signed-in practitioner or team
manager may see, for their own tools. Session sign-in (with two-factor, as for the pages);
anyone else gets 401 when not signed in, and 404 (logged in the audit trail) for a record they
may not see. Every read of a record is audited, as on the pages."""

import datetime
import uuid
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from opendeal.core import audit
from opendeal.deal.schemas import problem_responses

from . import access, selectors
from .scoring import SWEMWBS_COPYRIGHT
from .views.common import VIEWED

router = Router(auth=django_auth)


class PersonSummaryOut(Schema):
    id: uuid.UUID
    name: str
    team: str
    is_open: bool
    is_fictional: bool


class PersonOut(PersonSummaryOut):
    date_of_birth: datetime.date | None
    postcode: str
    lsoa21_code: str
    ward_code: str
    nhs_number: str
    strengths: str
    gifts: str
    interests: str
    what_matters: str
    consent_recorded_on: datetime.date | None
    consents_to_sharing: bool


class ConversationOut(Schema):
    id: uuid.UUID
    held_on: datetime.date
    kind: str
    outcome: str
    needs: list[uuid.UUID] = Field(description="Taxonomy term ids of the needs heard.")
    interests: list[uuid.UUID] = Field(description="Taxonomy term ids of the interests heard.")
    follow_up_on: datetime.date | None


class ScoreOut(Schema):
    recorded_on: datetime.date
    raw_score: int
    metric_score: Decimal


class WellbeingOut(Schema):
    swemwbs: list[ScoreOut]
    copyright: str


def _summary(person) -> dict:
    return {
        "id": person.public_id,
        "name": person.display_name,
        "team": person.team.name,
        "is_open": person.is_open,
        "is_fictional": person.is_fictional,
    }


def _person(request: HttpRequest, public_id: uuid.UUID, page: str):
    person = access.person_for(request.user, public_id, page)
    access.record(request.user, VIEWED, person, page=page)
    return person


@router.get(
    "/people",
    response=list[PersonSummaryOut],
    summary="The people you support",
    description="People allocated to your teams or shared with you (names only).",
)
def list_people(request: HttpRequest) -> list[dict]:
    people = [_summary(person) for person in selectors.caseload(request.user)]
    audit.record(request.user, "care.caseload.viewed", searched=False, count=len(people), api=True)
    return people


@router.get(
    "/people/{public_id}",
    response=PersonOut,
    openapi_extra=problem_responses(404, 422),
    summary="A person's record",
    description="404 for a person you may not see (the attempt is logged).",
)
def get_person(request: HttpRequest, public_id: uuid.UUID) -> dict:
    person = _person(request, public_id, "api-person")
    return {
        **_summary(person),
        **{
            name: getattr(person, name)
            for name in (
                "date_of_birth",
                "postcode",
                "lsoa21_code",
                "ward_code",
                "nhs_number",
                "strengths",
                "gifts",
                "interests",
                "what_matters",
                "consent_recorded_on",
                "consents_to_sharing",
            )
        },
    }


@router.get(
    "/people/{public_id}/conversations",
    response=list[ConversationOut],
    openapi_extra=problem_responses(404, 422),
    summary="A person's conversations",
)
def get_conversations(request: HttpRequest, public_id: uuid.UUID) -> list[dict]:
    person = _person(request, public_id, "api-conversations")
    return [
        {
            "id": item.public_id,
            "held_on": item.held_on,
            "kind": item.kind,
            "outcome": item.outcome,
            "needs": [h.taxonomy_term_id for h in item.heard_needs.all() if h.kind == "need"],
            "interests": [
                h.taxonomy_term_id for h in item.heard_needs.all() if h.kind == "interest"
            ],
            "follow_up_on": item.follow_up_on,
        }
        for item in selectors.conversations_of(person)
    ]


@router.get(
    "/people/{public_id}/wellbeing",
    response=WellbeingOut,
    openapi_extra=problem_responses(404, 422),
    summary="A person's SWEMWBS scores over time",
)
def get_wellbeing(request: HttpRequest, public_id: uuid.UUID) -> dict:
    person = _person(request, public_id, "api-wellbeing")
    return {
        "swemwbs": [
            {
                "recorded_on": item.recorded_on,
                "raw_score": item.raw_score,
                "metric_score": item.metric_score,
            }
            for item in person.swemwbs.all()
        ],
        "copyright": SWEMWBS_COPYRIGHT,
    }
