"""What the observatory API returns. Figures are exact decimal strings, as in the Deal's API."""

import datetime
import uuid

from ninja import Field, Schema

from opendeal.deal.schemas import DecimalString, problem_responses  # noqa: F401 (re-exported)

from .models import AreaType, Comparison, Polarity, Source


class IndicatorOut(Schema):
    slug: str = Field(description="Used in addresses and as `indicator=` in /series.")
    public_id: uuid.UUID
    source: Source
    code: str = Field(description="The publisher's id, e.g. Fingertips 90362.")
    name: str
    unit: str
    polarity: Polarity


class AreaOut(Schema):
    code: str = Field(description="ONS GSS code, e.g. E08000010.")
    name: str
    area_type: AreaType
    region: str | None = Field(None, description="The region's GSS code, where known.")


class ReleaseOut(Schema):
    public_id: uuid.UUID
    indicator: str = Field(description="The indicator's slug.")
    label: str
    published_on: datetime.date | None
    imported_at: datetime.datetime
    first_period_sortable: int | None
    last_period_sortable: int | None
    observations: int
    is_latest: bool


class FigureOut(Schema):
    period: str = Field(description='As published: "2018 - 20", "2015/16", "2019".')
    period_sortable: int
    period_end: datetime.date
    value: DecimalString | None
    lower_ci_95: DecimalString | None
    upper_ci_95: DecimalString | None
    count: DecimalString | None
    denominator: DecimalString | None
    value_note: str
    england_value: DecimalString | None
    england_lower_ci_95: DecimalString | None
    england_upper_ci_95: DecimalString | None
    compared_with_england_published: str = Field(
        description="The publisher's own comparison with England, as published (may be empty)."
    )
    compared_with_england_computed: Comparison | None = Field(
        description=(
            "Fingertips' method (comparator 1) applied here: similar when England's value lies "
            "within the area's 95% interval, ends included, else better/worse by polarity "
            "(higher/lower without one); null without an interval for the area."
        )
    )


class SeriesOut(Schema):
    indicator: IndicatorOut
    area: AreaOut
    sex: str
    release: ReleaseOut
    figures: list[FigureOut]
