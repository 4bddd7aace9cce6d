import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings

from opendeal.core.fingertips import FingertipsFormatError, headline_series, period_end

SMOKING = "observatory/fingertips_92443_smoking_prevalence_2011_to_2024.csv"


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2019", datetime.date(2019, 12, 31)),
        ("2015/16", datetime.date(2016, 3, 31)),
        ("1999/00", datetime.date(2000, 3, 31)),
        ("2018 - 20", datetime.date(2020, 12, 31)),
        ("1998 - 00", datetime.date(2000, 12, 31)),
    ],
)
def test_period_end(period, expected):
    assert period_end(period) == expected


def test_period_end_refuses_what_it_does_not_know():
    with pytest.raises(FingertipsFormatError, match="Unrecognised time period 'Q1 2019'"):
        period_end("Q1 2019")


def test_reads_wigans_real_smoking_series():
    figures = headline_series(settings.OPENDEAL_DATA_DIR / SMOKING, "E08000010")
    assert [figure.period for figure in figures[:3]] == ["2011", "2012", "2013"]
    assert [figure.value for figure in figures[:3]] == [
        Decimal("22.5"),
        Decimal("22.7"),
        Decimal("20.1"),
    ]
    assert figures[0].period_end == datetime.date(2011, 12, 31)
    assert len(figures) == len({figure.period for figure in figures})


def test_reads_one_sex_and_skips_category_rows(tmp_path):
    path = tmp_path / "fingertips.csv"
    path.write_text(
        "Area Code,Sex,Category Type,Category,Time period,Value\n"
        "E08000010,Male,,,2010,265.6\n"
        "E08000010,Female,,,2010,138.2\n"
        "E08000010,Male,Deprivation deciles,Most deprived,2010,300.1\n"
        "E08000010,Male,,,2011,\n"
        "E08000009,Male,,,2010,199.0\n",
        encoding="utf-8",
    )
    figures = headline_series(path, "E08000010", "Male")
    assert [(figure.period, figure.value) for figure in figures] == [("2010", Decimal("265.6"))]


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("Area Code,Sex,Value\nE08000010,Persons,1\n", encoding="utf-8")
    with pytest.raises(
        FingertipsFormatError,
        match=re.escape("broken.csv: missing columns Category Type, Time period"),
    ):
        headline_series(path, "E08000010")


def test_non_numeric_value_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Area Code,Sex,Category Type,Time period,Value\n"
        "E08000010,Persons,,2011,22.5\n"
        "E08000010,Persons,,2012,n/a\n",
        encoding="utf-8",
    )
    with pytest.raises(
        FingertipsFormatError, match=re.escape("bad.csv, row 3, column Value: 'n/a'")
    ):
        headline_series(path, "E08000010")
