"""The scorecard's figures as flat records, for its CSV and JSON downloads.

One record per measure (a commitment without a measure gets one record), every value text:
decimals exact and without trailing zeros, dates ISO 8601; a missing value is None (an
empty cell in the CSV).
"""

import datetime
from decimal import Decimal

from .read_models import MeasureView, Scorecard, plain_decimal

SCORECARD_COLUMNS = (
    "theme",
    "theme_progress",
    "commitment_reference",
    "commitment_title",
    "status",
    "commitment_progress",
    "measure_reference",
    "measure_title",
    "measure_kind",
    "unit",
    "direction",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "latest_figure",
    "latest_date",
    "trend",
    "measure_progress",
)


def scorecard_records(card: Scorecard) -> list[dict[str, str | None]]:
    """The scorecard's figures as flat records: one per measure of each row's commitment."""
    theme_progress_by_slug = {theme.slug: theme.progress for theme in card.deal.themes}
    records = []
    for commitment in card.rows:
        common = {
            "theme": commitment.theme_title,
            "theme_progress": _text(theme_progress_by_slug[commitment.theme_slug]),
            "commitment_reference": commitment.reference,
            "commitment_title": commitment.title,
            "status": _text(commitment.status),
            "commitment_progress": _text(commitment.progress),
        }
        for measure in commitment.measures or (None,):
            records.append({**common, **_measure_record(measure)})
    return records


def scorecard_document(card: Scorecard) -> dict:
    """The JSON download: the roll-ups, the filters applied and the same records as the CSV."""
    return {
        "deal": card.deal.title,
        "deal_progress": _text(card.deal.progress),
        "filters": {"theme": card.theme_slug or None, "status": card.status or None},
        "themes": [
            {
                "slug": theme.slug,
                "title": theme.title,
                "progress": _text(theme.progress),
            }
            for theme in card.deal.themes
        ],
        "records": scorecard_records(card),
    }


def _measure_record(measure: MeasureView | None) -> dict[str, str | None]:
    if measure is None:
        return dict.fromkeys(SCORECARD_COLUMNS[6:])
    return {
        "measure_reference": measure.reference,
        "measure_title": measure.title,
        "measure_kind": _text(measure.kind),
        "unit": measure.figure_unit,
        "direction": _text(measure.direction),
        "baseline": _text(measure.baseline_value),
        "baseline_date": _text(measure.baseline_on),
        "target": _text(measure.target_figure),
        "target_date": _text(measure.target_on),
        "latest_figure": _text(measure.latest_figure),
        "latest_date": _text(measure.latest_figure_on),
        "trend": _text(measure.trend),
        "measure_progress": _text(measure.progress),
    }


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(record: dict[str, str | None]) -> dict[str, str | None]:
    """The record with any text that a spreadsheet would run as a formula made plain text by a
    leading apostrophe. Numbers, such as "-2.5", are left as they are."""
    return {key: _defuse(value) for key, value in record.items()}


def _defuse(value: str | None) -> str | None:
    if not value or not value.startswith(_FORMULA_STARTS):
        return value
    try:
        Decimal(value)
    except ArithmeticError:
        return "'" + value
    return value


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
