"""SWEMWBS scoring: seven items, each 1-5, summed to a raw score of 7-35 and converted to the
metric score with the published conversion table (Stewart-Brown et al., 2009), read from the
shared data folder (`care/swemwbs_raw_to_metric.csv` under `OPENDEAL_DATA_DIR`).

An incomplete response has no score: `score_swemwbs` refuses it rather than guess."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from opendeal.core.data_sources import DataUnavailable

SWEMWBS_TABLE = "care/swemwbs_raw_to_metric.csv"
SWEMWBS_COPYRIGHT = "© NHS Health Scotland, University of Warwick and University of Edinburgh, 2008"
SWEMWBS_ITEMS = (
    ("optimistic", "I’ve been feeling optimistic about the future"),
    ("useful", "I’ve been feeling useful"),
    ("relaxed", "I’ve been feeling relaxed"),
    ("dealing_with_problems", "I’ve been dealing with problems well"),
    ("thinking_clearly", "I’ve been thinking clearly"),
    ("close_to_others", "I’ve been feeling close to other people"),
    ("own_mind", "I’ve been able to make up my own mind about things"),
)
SWEMWBS_ANSWERS = (
    (1, "None of the time"),
    (2, "Rarely"),
    (3, "Some of the time"),
    (4, "Often"),
    (5, "All of the time"),
)
ONS4_QUESTIONS = (
    ("life_satisfaction", "Overall, how satisfied are you with your life nowadays?"),
    (
        "worthwhile",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    ),
    ("happiness", "Overall, how happy did you feel yesterday?"),
    (
        "anxiety",
        "On a scale where 0 is “not at all anxious” and 10 is “completely anxious”, "
        "overall, how anxious did you feel yesterday?",
    ),
)


@dataclass(frozen=True)
class SwemwbsScore:
    raw: int
    metric: Decimal


def swemwbs_table_path() -> Path:
    return Path(settings.OPENDEAL_DATA_DIR) / SWEMWBS_TABLE


@cache
def _read_table(path: Path) -> dict[int, Decimal]:
    if not path.is_file():
        raise DataUnavailable(
            f"The SWEMWBS conversion table {SWEMWBS_TABLE} is not in {path.parent.parent}"
        )
    with path.open(newline="", encoding="utf-8-sig") as handle:
        table = {
            int(row["raw_score"]): Decimal(row["metric_score"]) for row in csv.DictReader(handle)
        }
    if sorted(table) != list(range(7, 36)):
        raise DataUnavailable(f"{path} must give a metric score for every raw score 7 to 35")
    return table


def conversion_table() -> dict[int, Decimal]:
    """Raw score (7-35) to metric score, from the shared data folder."""
    return _read_table(swemwbs_table_path())


def score_swemwbs(answers: dict[str, int | None]) -> SwemwbsScore:
    """The raw and metric score of a complete response; a ValidationError naming each missing
    or out-of-range item otherwise (an incomplete SWEMWBS has no score)."""
    errors = {}
    for name, statement in SWEMWBS_ITEMS:
        value = answers.get(name)
        if value is None or value == "":
            errors[name] = f"Answer “{statement}”: SWEMWBS has no score unless all 7 are answered"
        elif not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = f"Answer “{statement}” from 1 (none of the time) to 5 (all of the time)"
    if errors:
        raise ValidationError(errors)
    raw = sum(int(answers[name]) for name, _ in SWEMWBS_ITEMS)
    return SwemwbsScore(raw=raw, metric=conversion_table()[raw])
