"""The 360Giving files on the public page, built by a background task: all three at once,
swapped in whole (a failed build leaves the files before it), rebuilt when published data
changes, with at most one rebuild waiting."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from opendeal.core.roles import Role
from opendeal.fund import awards, decisions, giving360, published_files
from opendeal.fund.applications import update_organisation
from opendeal.fund.export_tasks import rebuild_published_files
from opendeal.fund.models import PublishedFile, PublishedFilesRebuild

from . import decide_factories
from .apply_factories import PROJECT_POSTCODE, make_postcodes
from .publish_factories import make_grant, make_priority, make_round
from .test_publish_giving360 import schema_errors

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def stored_bytes(record: PublishedFile) -> bytes:
    with published_files.storage().open(record.name, "rb") as stored:
        return stored.read()


def stored_names() -> set[str]:
    _, names = published_files.storage().listdir(published_files.DIRECTORY)
    return set(names)


def queued_rebuilds() -> int:
    return DBTaskResult.objects.filter(
        task_path=rebuild_published_files.module_path, status="READY"
    ).count()


@pytest.fixture
def grants():
    round_ = make_round()
    priority = make_priority(round_, "Tackling loneliness")
    return [
        make_grant(round_=round_, title="Walking group", priorities=(priority,)),
        make_grant(round_=round_, title="=Knit and natter", amount=Decimal("250.10")),
    ]


def test_a_build_writes_all_three_files_from_the_same_grants(grants):
    records = published_files.build_published_files()
    assert [record.format for record in records] == ["json", "csv", "xlsx"]
    assert PublishedFile.objects.count() == 3
    for record in records:
        assert record.grant_count == 2
        assert record.size == len(stored_bytes(record)) > 0
        assert record.name.startswith("360giving/")
        assert record.previous_name == ""

    by_format = {record.format: record for record in records}
    package = json.loads(stored_bytes(by_format["json"]))
    assert schema_errors(package) == []
    assert [grant["id"] for grant in package["grants"]] == [grant.identifier for grant in grants]

    # The CSV is what `opendeal export-360giving --format csv` writes.
    built_csv = stored_bytes(by_format["csv"]).decode("utf-8")
    assert built_csv == "".join(giving360.csv_lines(giving360.flat_export()))
    rows = list(csv.reader(io.StringIO(built_csv)))
    assert rows[2][1] == "'=Knit and natter"  # a formula's start defused
    workbook = load_workbook(io.BytesIO(stored_bytes(by_format["xlsx"])), read_only=True)
    sheet_rows = list(workbook["grants"].iter_rows(values_only=True))
    assert list(sheet_rows[0]) == rows[0]
    assert [row[1] for row in sheet_rows[1:]] == [row[1] for row in rows[1:]]


def test_with_no_grants_nothing_is_built(db):
    assert published_files.build_published_files() == []
    assert PublishedFile.objects.count() == 0


def test_a_new_build_swaps_in_whole_files_and_keeps_the_one_before(grants):
    first = {record.format: record for record in published_files.build_published_files()}
    make_grant(title="Youth club")
    second = {record.format: record for record in published_files.build_published_files()}
    for format, record in second.items():
        assert record.pk == first[format].pk  # the same row, pointing at a new file
        assert record.name != first[format].name
        assert record.previous_name == first[format].name
        assert record.grant_count == 3
    kept = {record.name.removeprefix("360giving/") for record in first.values()}
    assert kept <= stored_names()


def test_files_two_builds_back_are_deleted(grants, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = {record.name for record in published_files.build_published_files()}
    with django_capture_on_commit_callbacks(execute=True):
        second = {record.name for record in published_files.build_published_files()}
    with django_capture_on_commit_callbacks(execute=True):
        third = {record.name for record in published_files.build_published_files()}
    assert stored_names() == {name.split("/")[-1] for name in second | third}
    assert not first & (second | third)


class BrokenStorage(Exception):
    pass


def test_a_build_that_fails_while_writing_leaves_the_files_before_it(grants, monkeypatch):
    before = {
        record.format: stored_bytes(record) for record in published_files.build_published_files()
    }
    names_before = stored_names()
    make_grant(title="Youth club")

    def fail(row):
        raise BrokenStorage

    monkeypatch.setattr(giving360, "xlsx_row", fail)
    with pytest.raises(BrokenStorage):
        published_files.build_published_files()
    assert stored_names() == names_before
    for record in PublishedFile.objects.all():
        assert record.grant_count == 2
        assert stored_bytes(record) == before[record.format]


def test_a_build_that_fails_while_storing_deletes_what_it_stored(grants, monkeypatch):
    published_files.build_published_files()
    names_before = stored_names()
    rows_before = list(PublishedFile.objects.values_list("format", "name", "size", "data_as_at"))
    real_save = FileSystemStorage.save

    def save(self, name, content, **kwargs):
        if name.endswith(".xlsx"):  # the last of the three
            raise BrokenStorage
        return real_save(self, name, content, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", save)
    with pytest.raises(BrokenStorage):
        published_files.build_published_files()
    assert stored_names() == names_before
    after = list(PublishedFile.objects.values_list("format", "name", "size", "data_as_at"))
    assert after == rows_before


def test_an_older_build_finishing_last_does_not_replace_newer_files(grants, monkeypatch):
    published_files.build_published_files()
    newer = {record.format: record.name for record in PublishedFile.objects.all()}
    names = stored_names()
    # A build that began reading an hour ago, finishing now.
    earlier = published_files.timezone.now() - datetime.timedelta(hours=1)
    monkeypatch.setattr(published_files.timezone, "now", lambda: earlier)
    published_files.build_published_files()
    assert {record.format: record.name for record in PublishedFile.objects.all()} == newer
    assert stored_names() == names


# --- Queued after changes, one at a time ----------------------------------------------------


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


def award(officer, round_, amount: str = "1500.00"):
    application = decide_factories.make_application(round_, amount=amount, years=1, tier="Small")
    return decisions.decide(
        officer, application, outcome="award", reason="Good.", amount=Decimal(amount)
    ).grant


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_award_queues_one_rebuild_and_two_quick_awards_still_one(officer):
    round_ = decide_factories.make_round()
    award(officer, round_)
    assert queued_rebuilds() == 1
    award(officer, round_)
    assert queued_rebuilds() == 1
    assert PublishedFilesRebuild.objects.count() == 1

    # A worker starts the rebuild: an award from then on queues another.
    rebuild_published_files.call()
    assert PublishedFilesRebuild.objects.count() == 0
    assert PublishedFile.objects.get(format="json").grant_count == 2
    award(officer, round_)
    assert queued_rebuilds() == 2


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_declined_application_queues_nothing(officer):
    application = decide_factories.make_application(decide_factories.make_round())
    decisions.decide(officer, application, outcome="decline", reason="Not this time.")
    assert queued_rebuilds() == 0


def test_with_the_immediate_backend_an_award_builds_the_files_once_committed(
    officer, django_capture_on_commit_callbacks
):
    round_ = decide_factories.make_round()
    with django_capture_on_commit_callbacks(execute=True):
        grant = award(officer, round_)
    record = PublishedFile.objects.get(format="json")
    assert record.grant_count == 1
    assert json.loads(stored_bytes(record))["grants"][0]["id"] == grant.identifier
    assert PublishedFilesRebuild.objects.count() == 0


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_variation_and_a_funded_organisations_new_details_queue_a_rebuild(officer, make_user):
    member = make_user(Role.COMMUNITY_MEMBER)
    round_ = decide_factories.make_round()
    application = decide_factories.make_application(
        round_, organisation=decide_factories.make_organisation(member=member)
    )
    grant = decisions.decide(
        officer, application, outcome="award", reason="Good.", amount=Decimal("10000.00")
    ).grant
    rebuild_published_files.call()

    variation = awards.request_variation(
        member, grant, description="More sessions", amount_change=Decimal("100.00")
    )
    assert queued_rebuilds() == 1  # asking changes nothing published
    awards.decide_variation(officer, variation, approve=True, reason="Fits.")
    assert queued_rebuilds() == 2

    rebuild_published_files.call()
    make_postcodes()
    organisation = application.organisation
    update_organisation(
        member,
        organisation,
        name="Renamed group (fictional)",
        kind=organisation.kind,
        postcode=PROJECT_POSTCODE,
    )
    assert queued_rebuilds() == 3


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_rebuild_lost_before_it_ran_is_queued_again(officer):
    round_ = decide_factories.make_round()
    award(officer, round_)
    # Its task row lost, an hour and more ago (the flag row was left behind).
    DBTaskResult.objects.all().delete()
    PublishedFilesRebuild.objects.update(
        requested_at=published_files.timezone.now() - published_files.STALE_AFTER
    )
    award(officer, round_)
    assert queued_rebuilds() == 1


# --- Words and links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime.datetime(2025, 1, 15, 14, 5, tzinfo=datetime.UTC), "2:05pm on 15 January 2025"),
        # British Summer Time: an hour ahead of UTC.
        (datetime.datetime(2025, 7, 1, 8, 30, tzinfo=datetime.UTC), "9:30am on 1 July 2025"),
        (datetime.datetime(2025, 7, 1, 11, 0, tzinfo=datetime.UTC), "midday on 1 July 2025"),
        (datetime.datetime(2025, 1, 1, 0, 0, tzinfo=datetime.UTC), "midnight on 1 January 2025"),
    ],
)
def test_data_as_at_is_written_in_uk_time(moment, text):
    assert published_files.as_at_text(moment) == text


@pytest.mark.parametrize(
    ("size", "text"), [(820, "820 bytes"), (12 * 1024 + 100, "12 KB"), (1468006, "1.4 MB")]
)
def test_sizes(size, text):
    assert published_files.size_text(size) == text


def test_an_object_store_hands_out_a_signed_link():
    class ObjectStore:
        def url(self, name, parameters=None, expire=None):
            return f"https://bucket.example/{name}?{sorted(parameters.items())}"

    url = published_files._signed_url(ObjectStore(), "360giving/a.csv", "x.csv", "text/csv")
    assert url.startswith("https://bucket.example/360giving/a.csv?")
    assert 'attachment; filename="x.csv"' in url
    assert published_files._signed_url(FileSystemStorage(), "a.csv", "x.csv", "text/csv") is None
