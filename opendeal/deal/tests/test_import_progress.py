"""The CSV progress import: a good file is recorded exactly; any bad row names its row and
column and nothing at all is written. Also the `import_progress` management command."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.deal.importers.progress_csv import (
    ImportFailed,
    ProgressCsvImporter,
    ProgressRow,
    RowError,
    import_progress_csv,
)
from opendeal.deal.models import Milestone, ProgressUpdate, Reading, UpdateKind

from .test_editing import SampleDeal, build_sample_deal

HEADER = "measure,date,value,milestone,note\n"
GOOD_FILE = (
    HEADER
    + "HW1.1,2025-03-31,62.5,,From the annual survey.\n"
    + "HW1.1,2025-09-30,64,,\n"
    + "HW1.2,2025-06-01,,Sites agreed,Agreed with the parks team.\n"
)


@pytest.fixture
def sample(db) -> SampleDeal:
    return build_sample_deal()


def run(actor, sample: SampleDeal, text: str, file_name: str = "progress.csv"):
    return import_progress_csv(actor, sample.deal, io.StringIO(text, newline=""), file_name)


def refused(actor, sample: SampleDeal, text: str) -> list[str]:
    """The problems an import reports, as listed on the page, after checking nothing changed."""
    before = (Reading.objects.count(), ProgressUpdate.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ImportFailed) as failure:
        run(actor, sample, text)
    after = (Reading.objects.count(), ProgressUpdate.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert not Milestone.objects.filter(completed_on__isnull=False).exists()
    return [error.describe() for error in failure.value.errors]


def test_a_good_file_records_every_row_on_the_timeline(sample, administrator):
    report = run(administrator, sample, GOOD_FILE)

    assert (report.readings_recorded, report.milestones_completed, report.rows) == (2, 1, 3)
    assert report.commitments_updated == {"HW1"}
    assert str(report) == (
        "progress.csv: recorded 2 readings and 1 milestone reached, on 1 commitment."
    )
    assert list(sample.metric.readings.values_list("observed_on", "value")) == [
        (datetime.date(2025, 3, 31), Decimal("62.5000")),
        (datetime.date(2025, 9, 30), Decimal("64.0000")),
    ]
    sample.milestones[0].refresh_from_db()
    assert sample.milestones[0].completed_on == datetime.date(2025, 6, 1)
    timeline = list(
        ProgressUpdate.objects.order_by("occurred_on").values_list(
            "kind", "occurred_on", "summary", "recorded_by"
        )
    )
    assert timeline == [
        (
            UpdateKind.READING,
            datetime.date(2025, 3, 31),
            "Adults who are physically active was 62.5% on 31 March 2025. From the annual survey.",
            administrator.pk,
        ),
        (
            UpdateKind.MILESTONE,
            datetime.date(2025, 6, 1),
            "Milestone reached: Sites agreed. Agreed with the parks team.",
            administrator.pk,
        ),
        (
            UpdateKind.READING,
            datetime.date(2025, 9, 30),
            "Adults who are physically active was 64% on 30 September 2025.",
            administrator.pk,
        ),
    ]
    assert AuditEvent.objects.filter(action="deal.reading.recorded").count() == 2
    assert AuditEvent.objects.filter(action="deal.milestone.completed").count() == 1
    sample.ours.refresh_from_db()
    # Metric 64 on 60 → 70 is 40; milestones 1 of 3 is 33.33; mean 36.67.
    assert sample.ours.progress == Decimal("36.67")


def test_a_row_refused_while_recording_undoes_the_rows_before_it(sample, administrator):
    """Rows are checked before recording, but if an action still refuses one (here, a row that
    has become a future date), the whole file is rolled back and the row is named."""
    importer = ProgressCsvImporter(sample.deal, administrator)
    rows = importer.check(io.StringIO(GOOD_FILE), "progress.csv")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    late = ProgressRow(5, sample.metric, tomorrow, Decimal("65"), None, "")
    with pytest.raises(ImportFailed) as failure:
        importer.record([*rows, late], "progress.csv")
    assert [str(error) for error in failure.value.errors] == [
        "progress.csv: Row 5: The date must be today or in the past."
    ]
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)
    sample.milestones[0].refresh_from_db()
    assert sample.milestones[0].completed_on is None


def test_byte_order_mark_blank_lines_and_header_in_any_order_are_accepted(sample, administrator):
    text = "\ufeffnote,measure,date,value,milestone\n\n,hw1.1,2025-03-31,61,\n\n"
    report = run(administrator, sample, text)
    assert report.readings_recorded == 1
    assert sample.metric.readings.get().value == Decimal("61")


def test_errors_name_the_file_row_and_column(sample, administrator):
    text = HEADER + "HW1.1,2025-03-31,62,,\nHW1.1,31/03/2025,62,,\n"
    with pytest.raises(ImportFailed) as failure:
        run(administrator, sample, text, file_name="march.csv")
    assert failure.value.errors == [
        RowError(
            "march.csv",
            3,
            "date",
            "“31/03/2025” is not a date written as YYYY-MM-DD, like 2025-03-31.",
        )
    ]
    assert str(failure.value.errors[0]) == (
        "march.csv: Row 3, column date: “31/03/2025” is not a date written as YYYY-MM-DD, "
        "like 2025-03-31."
    )
    assert Reading.objects.count() == 0


def test_only_the_last_row_bad_still_writes_nothing(sample, administrator):
    text = GOOD_FILE + "HW9.9,2025-03-31,1,,\n"
    assert refused(administrator, sample, text) == [
        "Row 5, column measure: There is no measure “HW9.9” in The Deal for Testborough."
    ]


def test_every_problem_in_the_file_is_listed(sample, administrator):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    text = (
        HEADER
        + ",2025-03-31,1,,\n"  # row 2
        + "HW1.1,,1,,\n"  # row 3
        + f"HW1.1,{tomorrow},1,,\n"  # row 4
        + "HW1.1,2025-13-01,1,,\n"  # row 5
        + "HW1.1,2025-03-31,,,\n"  # row 6
        + "HW1.1,2025-03-31,lots,,\n"  # row 7
        + "HW1.1,2025-03-31,NaN,,\n"  # row 8
        + "HW1.1,2025-03-31,1.23456,,\n"  # row 9
        + "HW1.1,2025-03-31,12345678901,,\n"  # row 10
        + "HW1.1,2025-03-31,1,Sites agreed,\n"  # row 11
        + "HW1.2,2025-03-31,,,\n"  # row 12
        + "HW1.2,2025-03-31,,sites agreed,\n"  # row 13: titles match exactly
        + "HW1.2,2025-03-31,5,First gym open,\n"  # row 14
        + "HW1.1,2025-03-31,1,\n"  # row 15: a value short
        + f"HW1.1,2025-04-30,1,,{'x' * 1001}\n"  # row 16
    )
    assert refused(administrator, sample, text) == [
        "Row 2, column measure: Enter the reference of a measure, like HW1.1.",
        "Row 3, column date: Enter the date, like 2025-03-31.",
        f"Row 4, column date: {tomorrow} is in the future. Record progress only up to today.",
        "Row 5, column date: “2025-13-01” is not a date written as YYYY-MM-DD, like 2025-03-31.",
        "Row 6, column value: Enter the figure for HW1.1.",
        "Row 7, column value: “lots” is not a number. Write figures like 42.5.",
        "Row 8, column value: “NaN” is not a number. Write figures like 42.5.",
        "Row 9, column value: Give the figure to at most 4 decimal places.",
        "Row 10, column value: The figure 12345678901 is too large.",
        "Row 11, column milestone: Leave milestone empty: HW1.1 is a metric, not a milestones "
        "measure.",
        "Row 12, column milestone: Enter the title of a milestone of HW1.2.",
        "Row 13, column milestone: HW1.2 has no milestone called “sites agreed”.",
        "Row 14, column value: Leave value empty: HW1.2 is a milestones measure, not a metric.",
        "Row 15: The row has 4 values but the header has 5 columns.",
        "Row 16, column note: The note must be 1,000 characters or fewer.",
    ]


def test_a_repeated_figure_or_milestone_in_the_file_is_an_error(sample, administrator):
    text = (
        HEADER
        + "HW1.1,2025-03-31,62,,\n"
        + "HW1.2,2025-03-31,,Sites agreed,\n"
        + "HW1.2,2025-03-31,,First gym open,\n"  # two milestones on one day is fine
        + "HW1.1,2025-03-31,63,,\n"
        + "HW1.2,2025-04-30,,Sites agreed,\n"
    )
    assert refused(administrator, sample, text) == [
        "Row 5, column date: Row 2 already gives a figure for HW1.1 on 2025-03-31.",
        "Row 6, column milestone: Row 3 already gives “Sites agreed”.",
    ]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("", ["The file is empty."]),
        ("\n\n", ["The file is empty."]),
        (HEADER, ["The file has a header but no rows of progress."]),
        (
            "measure,date,amount,milestone\nHW1.1,2025-03-31,1,\n",
            [
                "Row 1, column value: The header has no “value” column. The columns are "
                "measure, date, value, milestone, note.",
                "Row 1, column note: The header has no “note” column. The columns are "
                "measure, date, value, milestone, note.",
                "Row 1, column amount: “amount” is not a column this import understands. The "
                "columns are measure, date, value, milestone, note.",
            ],
        ),
        (
            "measure,date,value,milestone,note,date\n",
            ["Row 1, column date: The column appears more than once in the header."],
        ),
    ],
    ids=["empty", "blank-lines", "header-only", "wrong-columns", "repeated-column"],
)
def test_file_level_problems(sample, administrator, text, problems):
    assert refused(administrator, sample, text) == problems


def test_measures_of_another_deal_are_unknown(sample, administrator):
    from opendeal.deal import editing

    other = editing.create_deal(
        administrator,
        title="Another Deal",
        slug="another",
        area_code="E08000011",
        summary="Elsewhere.",
        starts_on=datetime.date(2024, 4, 1),
        is_published=False,
    )
    with pytest.raises(ImportFailed) as failure:
        import_progress_csv(administrator, other, io.StringIO(GOOD_FILE), "progress.csv")
    assert [error.describe() for error in failure.value.errors] == [
        "Row 2, column measure: There is no measure “HW1.1” in Another Deal.",
        "Row 3, column measure: There is no measure “HW1.1” in Another Deal.",
        "Row 4, column measure: There is no measure “HW1.2” in Another Deal.",
    ]


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ANALYST])
def test_importing_needs_the_import_permission(sample, make_user, role):
    actor = make_user(role)
    with pytest.raises(PermissionDenied, match="Your role does not include importing progress"):
        run(actor, sample, GOOD_FILE)
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)


def test_the_example_file_imports_into_the_demo_deal_structure(db, administrator):
    """docs/examples/progress-updates.csv names the demo Deal's measures."""
    from opendeal.deal import editing
    from opendeal.deal.models import Direction, MeasureKind, Part

    deal = editing.create_deal(
        administrator,
        title="The Deal for Wigan",
        slug="the-deal",
        area_code="E08000010",
        summary="Demo.",
        starts_on=datetime.date(2024, 4, 1),
        is_published=True,
    )
    theme = editing.create_theme(administrator, deal, title="Health", slug="health")
    for reference in ("HW1", "HW2"):
        commitment = editing.create_commitment(
            administrator, theme, part=Part.OURS, reference=reference, title=reference
        )
        editing.create_measure(
            administrator,
            commitment,
            reference=f"{reference}.1",
            title=reference,
            kind=MeasureKind.METRIC,
            direction=Direction.INCREASE,
            baseline_value=Decimal("0"),
            target_value=Decimal("100"),
        )
    community = editing.create_commitment(
        administrator, theme, part=Part.OURS, reference="CM1", title="Fund"
    )
    fund = editing.create_measure(
        administrator, community, reference="CM1.1", title="Fund", kind=MeasureKind.MILESTONES
    )
    editing.create_milestone(
        administrator, fund, title="Funded projects listed in the community directory"
    )
    path = Path(settings.PROJECT_DIR) / "docs" / "examples" / "progress-updates.csv"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        report = import_progress_csv(administrator, deal, stream, path.name)
    assert (report.readings_recorded, report.milestones_completed) == (2, 1)


# The management command -----------------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "progress.csv"
    path.write_text("\ufeff" + GOOD_FILE, encoding="utf-8")
    return path


def test_command_imports_and_reports(sample, administrator, good_file):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_progress",
        str(good_file),
        "--deal",
        "testborough",
        "--as",
        administrator.email.upper(),
        stdout=out,
        stderr=err,
    )
    assert out.getvalue() == (
        "progress.csv: recorded 2 readings and 1 milestone reached, on 1 commitment.\n"
    )
    assert "Recording: 100%" in err.getvalue()
    assert "3/3" in err.getvalue()
    assert Reading.objects.count() == 2
    assert set(ProgressUpdate.objects.values_list("recorded_by", flat=True)) == {administrator.pk}


def test_command_lists_every_problem_and_writes_nothing(sample, administrator, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "HW1.1,2025-03-31,62,,\nHW1.1,2025-04-31,x,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^2 problem\(s\) found; nothing was imported\.$"):
        call_command(
            "import_progress",
            str(path),
            "--deal",
            "testborough",
            "--as",
            administrator.email,
            stderr=err,
        )
    assert err.getvalue().splitlines() == [
        "bad.csv: Row 3, column date: “2025-04-31” is not a date written as YYYY-MM-DD, "
        "like 2025-03-31.",
        "bad.csv: Row 3, column value: “x” is not a number. Write figures like 42.5.",
    ]
    assert (Reading.objects.count(), ProgressUpdate.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--deal", "nowhere"], "There is no Deal with the short name “nowhere”."),
        (
            ["--as", "nobody@example.org"],
            "There is no active account with the email address nobody@example.org.",
        ),
        (["--as", "PRACTITIONER"], "Your role does not include importing progress."),
        (["--file", "missing.csv"], "Cannot read"),
    ],
    ids=["unknown-deal", "unknown-person", "no-permission", "missing-file"],
)
def test_command_refusals(sample, administrator, practitioner, good_file, arguments, message):
    options = {"--deal": "testborough", "--as": administrator.email, "--file": str(good_file)}
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    if given.get("--as") == "PRACTITIONER":
        given["--as"] = practitioner.email
    options.update(given)
    if "--file" in given:
        options["--file"] = str(good_file.parent / given["--file"])
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_progress",
            options["--file"],
            "--deal",
            options["--deal"],
            "--as",
            options["--as"],
            stderr=io.StringIO(),
        )
    assert str(failure.value).startswith(message)
    assert Reading.objects.count() == 0
