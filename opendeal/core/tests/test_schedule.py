"""The housekeeping schedule the workers keep: each due run is queued once, however many workers
tick at the same moment, and the queued task does its work when a worker runs it."""

import datetime
import logging
import threading
from collections import Counter

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from opendeal.core import schedule
from opendeal.core.models import ScheduledRun
from opendeal.core.tests.test_task_worker import DATABASE_QUEUE, _start_worker, _stop, _wait_for

LONDON = timezone.get_fixed_timezone(0)  # Europe/London in winter
NAMES = [
    "events.housekeeping",
    "care.retention",
    "core.prune",
    "fund.monitoring_reminders",
    "fund.published_files",
    "directory.review_reminders",
    "deal.housekeeping",
]


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def entry(name: str) -> schedule.Entry:
    return next(item for item in schedule.entries() if item.name == name)


# Slots -----------------------------------------------------------------------------------------


def test_a_frequent_entry_falls_due_on_each_mark_of_its_interval():
    events = entry("events.housekeeping")
    assert events.every == datetime.timedelta(minutes=5)
    assert events.slot(at("2026-01-12 10:04:59")) == at("2026-01-12 10:00")
    assert events.slot(at("2026-01-12 10:05:00")) == at("2026-01-12 10:05")


@override_settings(OPENDEAL_SCHEDULE_DAILY_TIMES={"deal.housekeeping": "08:30"})
def test_a_daily_entry_falls_due_at_its_local_time_and_stays_due_until_the_next():
    deal = entry("deal.housekeeping")
    assert deal.when == "daily at 08:30"
    assert deal.slot(at("2026-01-12 08:29")) == at("2026-01-11 08:30")
    assert deal.slot(at("2026-01-12 08:30")) == at("2026-01-12 08:30")
    assert deal.slot(at("2026-01-12 23:59")) == at("2026-01-12 08:30")
    # British Summer Time: still 08:30 on the clock.
    summer = deal.slot(datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC))
    assert summer == datetime.datetime(2026, 7, 1, 7, 30, tzinfo=datetime.UTC)


def test_the_default_schedule_has_every_housekeeping_task():
    assert [item.name for item in schedule.entries()] == NAMES


@override_settings(OPENDEAL_SCHEDULE_SKIP=["deal.housekeeping", "care.retention"])
def test_skipped_entries_are_left_out():
    assert "deal.housekeeping" not in [item.name for item in schedule.entries()]
    assert "care.retention" not in [item.name for item in schedule.entries()]


@pytest.mark.parametrize(
    "settings_change",
    [
        {"OPENDEAL_SCHEDULE_SKIP": ["deal.housekeping"]},
        {"OPENDEAL_SCHEDULE_DAILY_TIMES": {"deal.housekeeping": "7am"}},
    ],
    ids=["unknown-name", "bad-time"],
)
def test_a_mistaken_setting_is_refused(settings_change):
    with override_settings(**settings_change), pytest.raises(ImproperlyConfigured):
        schedule.entries()


# Ticking ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_tick_queues_each_due_run_once_and_the_next_slot_again():
    now = at("2026-01-12 10:01")
    assert schedule.tick(now) == NAMES
    assert schedule.tick(now) == []  # the same slot: already queued
    assert schedule.tick(now + datetime.timedelta(minutes=1)) == []
    assert schedule.tick(now + datetime.timedelta(minutes=5)) == ["events.housekeeping"]

    runs = list(ScheduledRun.objects.values_list("name", "task_result_id"))
    assert Counter(name for name, _ in runs) == {
        **dict.fromkeys(NAMES, 1),
        "events.housekeeping": 2,
    }
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(str(task_id) for task_id in queued.values_list("id", flat=True)) == sorted(
        task_id for _, task_id in runs
    )
    assert set(queued.values_list("task_path", flat=True)) == {
        "opendeal.events.tasks.housekeeping",
        "opendeal.care.tasks.erase_expired_records",
        "opendeal.core.schedule.prune",
        "opendeal.fund.award_tasks.send_monitoring_reminders",
        "opendeal.fund.export_tasks.rebuild_published_files",
        "opendeal.directory.tasks.send_review_reminders",
        "opendeal.deal.tasks.record_published_figures",
    }


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_QUEUE, OPENDEAL_SCHEDULE=False)
def test_with_the_schedule_off_nothing_is_queued():
    assert schedule.tick(at("2026-01-12 10:01")) == []
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_two_workers_ticking_at_the_same_slot_queue_each_run_once(monkeypatch):
    """Both schedulers look, see nothing queued, and insert at the same moment: the unique
    constraint lets one insert win, and only the winner queues the task."""
    monkeypatch.setattr(schedule, "_already_queued", lambda name, slot: False)
    now = at("2026-01-12 10:01")
    start = threading.Barrier(2)
    queued: dict[str, list[str]] = {}

    def worker(name: str) -> None:
        try:
            start.wait(timeout=10)
            queued[name] = schedule.tick(now)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert set(queued) == {"one", "two"}
    assert sorted(queued["one"] + queued["two"]) == sorted(NAMES)  # each by one of them
    assert ScheduledRun.objects.count() == len(NAMES)
    assert DBTaskResult.objects.count() == len(NAMES)


# The Deal's housekeeping needs an account -----------------------------------------------------


@pytest.mark.django_db
def test_deal_housekeeping_without_an_account_is_skipped_with_a_warning(settings, caplog):
    from opendeal.deal.tasks import record_published_figures

    settings.OPENDEAL_HOUSEKEEPING_ACCOUNT = ""
    with caplog.at_level(logging.WARNING, logger="opendeal.deal.tasks"):
        result = record_published_figures.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is None
    assert "set OPENDEAL_HOUSEKEEPING_ACCOUNT" in caplog.text


@pytest.mark.django_db
def test_deal_housekeeping_records_as_the_configured_account(settings, administrator, caplog):
    from opendeal.deal.tasks import record_published_figures

    settings.OPENDEAL_HOUSEKEEPING_ACCOUNT = administrator.email.upper()
    with caplog.at_level(logging.WARNING, logger="opendeal.deal.tasks"):
        result = record_published_figures.enqueue()
    assert result.return_value == {"care": 0, "observatory": 0}  # no linked measures yet
    assert caplog.text == ""


@pytest.mark.django_db
def test_deal_housekeeping_as_an_account_that_may_not_record_is_skipped(
    settings, practitioner, caplog
):
    from opendeal.deal.tasks import record_published_figures

    settings.OPENDEAL_HOUSEKEEPING_ACCOUNT = practitioner.email
    with caplog.at_level(logging.WARNING, logger="opendeal.deal.tasks"):
        assert record_published_figures.enqueue().return_value is None
    assert "housekeeping account is refused" in caplog.text
    assert practitioner.email not in caplog.text


# Real workers ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_workers_queue_due_housekeeping_once_and_run_it(tmp_path, make_user):
    """Two `opendeal worker` processes keep the schedule: every due run is queued once, run by
    one of them, and does its work (here: erasing a care record past its retention)."""
    from opendeal.care import services
    from opendeal.care.models import Person
    from opendeal.care.tests.helpers import build_world

    world = build_world(make_user)
    services.close_person(world.manager, world.person, datetime.date(2000, 1, 1))

    environment = {"OPENDEAL_SCHEDULE": "1", "OPENDEAL_SCHEDULE_TICK_SECONDS": "0.2"}
    workers = [
        _start_worker(tmp_path, f"keeper-{n}", "--no-startup-delay", environment=environment)
        for n in range(2)
    ]
    try:

        def all_ran() -> bool:
            runs = ScheduledRun.objects.count()
            done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count()
            return runs >= len(NAMES) and done == DBTaskResult.objects.count() == runs

        _wait_for(all_ran, "the workers to queue and run the housekeeping")
    finally:
        errors = [_stop(worker) for worker in workers]

    runs = list(ScheduledRun.objects.values_list("name", "slot", "task_result_id"))
    assert {name for name, _, _ in runs} == set(NAMES), errors
    assert len({(name, slot) for name, slot, _ in runs}) == len(runs)
    tasks = DBTaskResult.objects.all()
    assert sorted(str(task.id) for task in tasks) == sorted(task_id for _, _, task_id in runs)
    assert all(len(task.worker_ids) == 1 for task in tasks)  # each run by one worker, once
    assert Person.objects.get(pk=world.person.pk).erased_at is not None
    assert Person.objects.get(pk=world.south_person.pk).erased_at is None
