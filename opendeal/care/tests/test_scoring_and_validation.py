"""SWEMWBS scoring against the whole published conversion table, NHS numbers, UK phone
numbers, and dates that cannot be in the future."""

import csv
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opendeal.care import scoring
from opendeal.care.scoring import SWEMWBS_ITEMS, score_swemwbs, swemwbs_table_path
from opendeal.care.validation import (
    clean_nhs_number,
    clean_uk_phone,
    format_nhs_number,
    nhs_number_check_digit,
    not_in_future,
)
from opendeal.core.data_sources import DataUnavailable

ITEM_NAMES = [name for name, _ in SWEMWBS_ITEMS]


def _published_table() -> dict[int, Decimal]:
    with swemwbs_table_path().open(encoding="utf-8") as handle:
        return {
            int(row["raw_score"]): Decimal(row["metric_score"]) for row in csv.DictReader(handle)
        }


def _answers_summing_to(raw: int) -> dict[str, int]:
    """Seven answers of 1-5 that add up to `raw`, spread as evenly as possible."""
    base, extra = divmod(raw, 7)
    return {name: base + (1 if index < extra else 0) for index, name in enumerate(ITEM_NAMES)}


def test_every_raw_score_converts_to_the_published_metric_score():
    published = _published_table()
    assert sorted(published) == list(range(7, 36))
    for raw, metric in published.items():
        score = score_swemwbs(_answers_summing_to(raw))
        assert (score.raw, score.metric) == (raw, metric)
    # Spot checks against the paper's table, so a wrong file cannot pass unnoticed.
    assert published[7] == Decimal("7.00")
    assert published[21] == Decimal("19.25")
    assert published[35] == Decimal("35.00")


def test_different_answers_with_the_same_sum_score_the_same():
    first = score_swemwbs(dict(zip(ITEM_NAMES, [1, 5, 3, 3, 3, 2, 4], strict=True)))
    second = score_swemwbs(dict.fromkeys(ITEM_NAMES, 3))
    assert first == second
    assert first.raw == 21


def test_an_incomplete_response_has_no_score_and_says_which_items_are_missing():
    answers = dict.fromkeys(ITEM_NAMES, 4)
    answers["relaxed"] = None
    del answers["own_mind"]
    with pytest.raises(ValidationError) as refused:
        score_swemwbs(answers)
    assert set(refused.value.message_dict) == {"relaxed", "own_mind"}
    assert "no score unless all 7 are answered" in refused.value.message_dict["relaxed"][0]


@pytest.mark.parametrize("value", [0, 6, -1, "3"])
def test_an_answer_out_of_range_is_refused(value):
    answers = dict.fromkeys(ITEM_NAMES, 3)
    answers["useful"] = value
    with pytest.raises(ValidationError) as refused:
        score_swemwbs(answers)
    assert list(refused.value.message_dict) == ["useful"]


def test_a_missing_conversion_table_is_a_clear_error(settings, tmp_path):
    settings.OPENDEAL_DATA_DIR = tmp_path
    with pytest.raises(DataUnavailable, match=r"swemwbs_raw_to_metric\.csv"):
        scoring.conversion_table()


@pytest.mark.parametrize(
    "text,digits",
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("4010232137", "4010232137"),
        ("", ""),
    ],
)
def test_valid_nhs_numbers_are_accepted(text, digits):
    assert clean_nhs_number(text) == digits


@pytest.mark.parametrize(
    "text",
    [
        "9434765918",  # last digit is not the check digit
        "9434765910",
        "1234567890",  # the remainder gives 10: no valid check digit exists
        "943476591",  # nine digits
        "94347659199",  # eleven
        "943476591X",
        "٩٤٣٤٧٦٥٩١٩",  # Arabic-Indic digits
    ],
)
def test_invalid_nhs_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        clean_nhs_number(text)


def test_the_check_digit_follows_modulus_11():
    # 9,4,3,4,7,6,5,9,1 weighted 10..2 sum to 299; 299 mod 11 is 2; 11 - 2 = 9.
    assert nhs_number_check_digit("943476591") == 9
    assert nhs_number_check_digit("123456789") is None
    assert format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    "text,e164",
    [
        ("0161 496 0123", "+441614960123"),
        ("+44 161 496 0123", "+441614960123"),
        ("(0161) 4960123", "+441614960123"),
        ("07911 123456", "+447911123456"),
        ("", ""),
    ],
)
def test_uk_phone_numbers_are_kept_in_e164(text, e164):
    assert clean_uk_phone(text) == e164


@pytest.mark.parametrize("text", ["12345", "0161 496", "not a number", "+44 20 7946 000000"])
def test_invalid_phone_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        clean_uk_phone(text)


def test_dates_after_today_are_refused_where_none_can_be():
    today = timezone.localdate()
    not_in_future(today, "The date")
    not_in_future(None, "The date")
    with pytest.raises(ValidationError, match="must be today or in the past"):
        not_in_future(today + datetime.timedelta(days=1), "The date")
