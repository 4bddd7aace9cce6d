"""What the Deal API returns, built from the dataclasses of `read_models`.

Decimals (progress, weights, figures) are JSON strings holding the exact decimal, without
trailing zeros ("42.5", "100"), so no figure is ever rounded by a binary float on the way.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

from .models import Direction, MeasureKind, Part, Status, UpdateKind
from .progress import Trend
from .read_models import plain_decimal

DecimalString = Annotated[
    Decimal,
    PlainSerializer(plain_decimal, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "decimal",
            "pattern": r"^-?\d+(\.\d+)?$",
            "description": 'An exact decimal number written as a string, e.g. "42.5".',
        }
    ),
]
Percent = Annotated[
    DecimalString | None,
    Field(description="Progress from 0 to 100 as an exact decimal string; null if not measured."),
]


class Problem(Schema):
    """An RFC 7807 problem document (served as application/problem+json)."""

    type: str = Field(examples=["about:blank"])
    title: str
    status: int
    detail: str | None = None
    errors: list[dict] | None = Field(None, description="What was wrong with the input (422).")


_PROBLEM_DESCRIPTIONS = {
    404: "Not found (an RFC 7807 problem document).",
    422: "The request is not valid, e.g. a malformed id (an RFC 7807 problem document).",
}


def problem_responses(*statuses: int) -> dict:
    """OpenAPI `responses` for errors, documented with their real media type,
    application/problem+json (pass as a route's openapi_extra)."""
    content = {"application/problem+json": {"schema": Problem.model_json_schema()}}
    return {
        "responses": {
            status: {"description": _PROBLEM_DESCRIPTIONS[status], "content": content}
            for status in statuses
        }
    }


class ReadingOut(Schema):
    observed_on: datetime.date
    value: DecimalString


class MilestoneOut(Schema):
    title: str
    due_on: datetime.date | None
    completed_on: datetime.date | None
    is_complete: bool
    is_overdue: bool


class MeasureOut(Schema):
    public_id: uuid.UUID
    reference: str
    title: str
    kind: MeasureKind
    unit: str = Field(description='The unit of a metric\'s figures ("%", "people"...).')
    direction: Direction | None = Field(description="Which way is better; null for milestones.")
    baseline_value: DecimalString | None
    baseline_on: datetime.date | None
    target_value: DecimalString | None
    target_on: datetime.date | None
    source: str
    progress: Percent
    trend: Trend | None = Field(description="The last figure against the one before it.")
    latest: ReadingOut | None = Field(description="The latest figure of a metric measure.")
    milestones_completed: int
    milestones_total: int


class MeasureDetailOut(MeasureOut):
    readings: list[ReadingOut] = Field(description="Every figure, oldest first.")
    milestones: list[MilestoneOut]


class CommitmentOut(Schema):
    public_id: uuid.UUID
    reference: str
    title: str
    description: str
    part: Part
    weight: DecimalString
    status: Status | None = Field(description="Our part only; null for your part.")
    progress: Percent
    pledge_count: int | None = Field(description="Active pledges; your part only.")
    measures: list[MeasureOut]


class ThemeOut(Schema):
    public_id: uuid.UUID
    slug: str
    title: str
    summary: str
    weight: DecimalString
    progress: Percent = Field(
        description="Weighted mean of the theme's measured our-part commitments' progress."
    )
    our_part: list[CommitmentOut]
    your_part: list[CommitmentOut]


class DealOut(Schema):
    public_id: uuid.UUID
    title: str
    slug: str
    summary: str
    area_code: str = Field(description="ONS GSS code of the area the Deal covers.")
    starts_on: datetime.date
    progress: Percent = Field(description="Weighted mean of the measured themes' progress.")
    themes: list[ThemeOut]


class TimelineEntryOut(Schema):
    occurred_on: datetime.date
    recorded_at: datetime.datetime
    kind: UpdateKind
    summary: str
    status: Status = Field(description="The commitment's status when the entry was made.")
    progress: Percent
    recorded_by_name: str = Field(description="The team or person who made the update.")
    measure_reference: str | None


class ThemeReferenceOut(Schema):
    slug: str
    title: str


class CommitmentDetailOut(CommitmentOut):
    deal_title: str
    theme: ThemeReferenceOut
    measures: list[MeasureDetailOut]
    timeline: list[TimelineEntryOut] = Field(description="Newest first.")


class CommitmentPledgesOut(Schema):
    public_id: uuid.UUID
    reference: str
    title: str
    pledges: int


class DistrictPledgesOut(Schema):
    district: str = Field(description='A postcode district such as "WN1", or "Not given".')
    pledges: int


class PledgeTotalsOut(Schema):
    total_pledges: int = Field(description="Active pledges to the published Deal.")
    total_people: int = Field(description="Different people (email addresses) who pledged.")
    by_commitment: list[CommitmentPledgesOut]
    by_district: list[DistrictPledgesOut] = Field(description="Most pledges first.")
