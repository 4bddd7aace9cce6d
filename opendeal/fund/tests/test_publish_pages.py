"""The public page of awarded grants, each grant's page and the downloads."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from opendeal.fund import awarded, published_files
from opendeal.fund.export_tasks import rebuild_published_files
from opendeal.fund.models import OrganisationKind, PublishedFile

from .publish_factories import (
    ABRAM_WARD,
    make_grant,
    make_organisation,
    make_priority,
    make_round,
)
from .test_publish_giving360 import schema_errors

ASPULL_WARD = "E05014991"


@pytest.fixture
def grants(db):
    round_ = make_round()
    loneliness = make_priority(round_, "Tackling loneliness")
    young = make_priority(round_, "Young people")
    return [
        make_grant(
            round_=round_,
            title="Walking group",
            amount=Decimal("1500.00"),
            awarded_on=datetime.date(2024, 3, 31),
            priorities=(loneliness,),
        ),
        make_grant(
            round_=round_,
            title="Youth club",
            amount=Decimal("2000.50"),
            awarded_on=datetime.date(2024, 4, 1),
            priorities=(loneliness, young),
        ),
        make_grant(
            round_=round_,
            title="Knit and natter",
            organisation=make_organisation(
                "Aspull Knitters (fictional)", OrganisationKind.UNREGISTERED_GROUP
            ),
            amount=Decimal("250.00"),
            awarded_on=datetime.date(2025, 2, 1),
            ward_code=ASPULL_WARD,
        ),
    ]


@pytest.fixture
def built(grants):
    """The files the background task builds, built."""
    return {record.format: record for record in published_files.build_published_files()}


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_financial_years_run_april_to_march():
    assert awarded.financial_year(datetime.date(2024, 3, 31)) == "2023–24"
    assert awarded.financial_year(datetime.date(2024, 4, 1)) == "2024–25"
    assert awarded.financial_year(datetime.date(2099, 12, 31)) == "2099–00"


def test_totals_by_year_priority_and_ward(grants):
    totals = awarded.grant_totals()
    assert (totals.grants, totals.amount) == (3, Decimal("3750.50"))
    assert [(t.label, t.grants, t.amount) for t in totals.by_year] == [
        ("2023–24", 1, Decimal("1500.00")),
        ("2024–25", 2, Decimal("2250.50")),
    ]
    assert [(t.label, t.grants, t.amount) for t in totals.by_priority] == [
        ("Tackling loneliness", 2, Decimal("3500.50")),
        ("Young people", 1, Decimal("2000.50")),
    ]
    assert [(t.label, t.key, t.grants, t.amount) for t in totals.by_ward] == [
        ("Abram", ABRAM_WARD, 2, Decimal("3500.50")),
        ("Aspull, New Springs & Whelley", ASPULL_WARD, 1, Decimal("250.00")),
    ]


def test_the_page_shows_totals_charts_map_list_and_downloads(grants, built):
    response = Client().get("/fund/awarded/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "£3,750.50" in page
    assert "£2,250.50" in page  # the financial year 2024 to 25
    assert 'id="year-chart-title"' in page and 'id="priority-chart-title"' in page
    assert page.count('class="opendeal-map__ward opendeal-map__ward--') == 25
    assert "Abram: 2 grants" in page
    for project in ("Walking group", "Youth club", "Knit and natter"):
        assert project in page
    for format in ("json", "csv", "xlsx"):
        assert f'href="/fund/awarded/360giving.{format}"' in page
        assert published_files.size_text(built[format].size) in page
    assert f"Data as at {published_files.as_at_text(built['json'].data_as_at)}." in page
    assert "being prepared" not in page


@override_settings(TASKS=DATABASE_QUEUE)
def test_before_the_first_files_are_built_the_page_says_so_and_queues_a_build(grants):
    page = Client().get("/fund/awarded/").content.decode()
    assert "The files to download are being prepared." in page
    assert 'href="/fund/awarded/360giving.' not in page
    assert "Data as at" not in page
    queued = DBTaskResult.objects.filter(task_path=rebuild_published_files.module_path)
    assert queued.count() == 1
    Client().get("/fund/awarded/")
    assert queued.count() == 1  # one build waiting is enough

    rebuild_published_files.call()  # a worker runs it
    page = Client().get("/fund/awarded/").content.decode()
    assert "Data as at" in page and 'href="/fund/awarded/360giving.csv"' in page


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_download_before_the_first_files_are_built_asks_to_come_back(grants):
    response = Client().get("/fund/awarded/360giving.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == str(published_files.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "The grants data is being prepared" in page
    assert 'href="/fund/awarded/#download"' in page
    assert DBTaskResult.objects.filter(task_path=rebuild_published_files.module_path).count() == 1


def test_newer_files_on_the_way_are_mentioned(built):
    published_files.request_rebuild()  # queued with a transaction the test never commits
    page = Client().get("/fund/awarded/").content.decode()
    assert "Newer files are being prepared" in page


def test_the_page_before_any_grant(db):
    response = Client().get("/fund/awarded/")
    assert response.status_code == 200
    assert "No grants have been made yet." in response.content.decode()
    assert Client().get("/fund/awarded/360giving.json").status_code == 404


def test_a_grants_page_shows_its_public_facts_only(grants):
    knitters = grants[2]
    response = Client().get(f"/fund/awarded/{knitters.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Knit and natter" in page
    assert "£250.00" in page
    assert "Aspull, New Springs &amp; Whelley ward" in page
    assert knitters.identifier in page
    # The group's address is private (it is often someone's home).
    assert "1 Test Street" not in page
    assert "WN1 1AA" not in page


def test_downloads_serve_the_built_file_not_the_database(grants, built):
    """A grant made after the build is in the next build, not in today's download: the web
    request reads the stored file and builds nothing."""
    from .publish_factories import make_grant

    make_grant(title="Made after the build")
    package = json.loads(b"".join(Client().get("/fund/awarded/360giving.json").streaming_content))
    assert len(package["grants"]) == 3
    assert PublishedFile.objects.get(format="json").grant_count == 3


def test_an_unknown_grant_or_format_is_not_found(grants):
    assert Client().get("/fund/awarded/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert Client().get("/fund/awarded/360giving.xml").status_code == 404


def test_the_json_download_streams_the_built_valid_package(grants, built):
    response = Client().get("/fund/awarded/360giving.json")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    day = published_files.timezone.localtime(built["json"].data_as_at).date()
    assert response["Content-Disposition"] == (
        f'attachment; filename="360giving-grants-{day:%Y-%m-%d}.json"'
    )
    assert response["Content-Length"] == str(built["json"].size)
    content = b"".join(response.streaming_content)
    with published_files.storage().open(built["json"].name, "rb") as stored:
        assert content == stored.read()
    package = json.loads(content)
    assert schema_errors(package) == []
    assert len(package["grants"]) == 3


def test_the_csv_and_xlsx_downloads(grants, built):
    response = Client().get("/fund/awarded/360giving.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert len(rows) == 4
    response = Client().get("/fund/awarded/360giving.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == published_files.CONTENT_TYPES["xlsx"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert [row[1] for row in workbook["grants"].iter_rows(min_row=2, values_only=True)] == [
        row[1] for row in rows[1:]
    ]


def test_a_grants_page_adds_up_its_submitted_monitoring_reports(grants):
    from django.utils import timezone

    from opendeal.fund.models import MonitoringReport

    walking = grants[0]
    submitted = {"submitted_at": timezone.now(), "due_on": datetime.date(2025, 4, 1)}
    MonitoringReport.objects.create(grant=walking, people_reached=40, volunteers=3, **submitted)
    MonitoringReport.objects.create(grant=walking, people_reached=25, activities=12, **submitted)
    MonitoringReport.objects.create(
        grant=walking, due_on=datetime.date(2026, 4, 1), people_reached=1000
    )  # not sent yet: not counted
    outcomes = awarded.public_grant(walking.public_id).outcomes
    assert outcomes == awarded.Outcomes(reports=2, people_reached=65, volunteers=3, activities=12)
    page = Client().get(f"/fund/awarded/{walking.public_id}/").content.decode()
    assert "From the 2 monitoring reports the group has sent so far" in page
    no_reports = Client().get(f"/fund/awarded/{grants[1].public_id}/").content.decode()
    assert "The group has not sent a monitoring report yet." in no_reports


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("950.49", "£950"), ("12000", "£12k"), ("12500.50", "£12.5k"), ("1200000", "£1.2m")],
)
def test_bar_ends_show_short_money(amount, shown):
    from opendeal.fund.views.public import short_money

    assert short_money(Decimal(amount)) == shown


def test_the_charts_write_money_at_the_bar_ends(grants):
    page = Client().get("/fund/awarded/").content.decode()
    # The two financial years, then one bar per priority.
    assert ">£1.5k</text>" in page and ">£2.3k</text>" in page
    assert "Tackling loneliness: £3.5k; Young people: £2k." in page
