"""The housekeeping schedule, kept by the workers themselves: no cron needed.

Every `opendeal worker` ticks every OPENDEAL_SCHEDULE_TICK_SECONDS (from its heartbeat thread,
`opendeal.core.task_worker`). A tick works out, for each entry below, the period the present
falls in (its "slot": the last five-minute mark, or the last 06:15, say) and, if that slot has
no `ScheduledRun` yet, inserts one and queues the entry's task in the same transaction. The
row's unique (name, slot) means one insert wins however many workers tick at once, on however
many machines, so each due run is queued exactly once; the losers queue nothing. A run missed
while no worker was running is queued when the next worker starts (the tasks are idempotent).

Settings (opendeal/settings/base.py): OPENDEAL_SCHEDULE turns it off for councils that prefer
cron; OPENDEAL_SCHEDULE_EVENTS_MINUTES, OPENDEAL_SCHEDULE_DAILY_TIMES and OPENDEAL_SCHEDULE_SKIP
change when and what runs.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import JOB_FINISHED, Job, ScheduledRun

logger = logging.getLogger(__name__)

UTC = datetime.UTC


@dataclass(frozen=True)
class Entry:
    """One scheduled task: `task` (a dotted path) runs every `every`, or daily at `at` (the
    council's local time)."""

    name: str
    task: str
    description: str
    every: datetime.timedelta | None = None
    at: datetime.time | None = None

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the period `now` falls in: the run for it is due from then."""
        if self.every is not None:
            seconds = self.every.total_seconds()
            start = (now.timestamp() // seconds) * seconds
            return datetime.datetime.fromtimestamp(start, tz=UTC)
        assert self.at is not None
        today = timezone.localtime(now).date()
        slot = timezone.make_aware(datetime.datetime.combine(today, self.at))
        if slot > now:
            slot = timezone.make_aware(
                datetime.datetime.combine(today - datetime.timedelta(days=1), self.at)
            )
        return slot

    @property
    def when(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds() // 60)} minutes"
        assert self.at is not None
        return f"daily at {self.at:%H:%M}"


# name: (task, what it does, default time of day; None for the events' frequent run)
_ENTRIES: dict[str, tuple[str, str, str | None]] = {
    "events.housekeeping": (
        "opendeal.events.tasks.housekeeping",
        "Lapse unconfirmed event registrations, send event reminders, erase attendees' details",
        None,
    ),
    "care.retention": (
        "opendeal.care.tasks.erase_expired_records",
        "Erase care records closed for longer than the retention period",
        "02:45",
    ),
    "core.prune": (
        "opendeal.core.schedule.prune",
        "Delete finished tasks, scheduled runs and jobs older than the keeping period",
        "03:00",
    ),
    "fund.monitoring_reminders": (
        "opendeal.fund.award_tasks.send_monitoring_reminders",
        "Remind funded organisations of monitoring reports due soon or overdue",
        "06:15",
    ),
    "fund.published_files": (
        "opendeal.fund.export_tasks.rebuild_published_files",
        "Rebuild the public 360Giving files (changes in the fund queue a rebuild at once; this "
        "picks up the rest, such as a Deal theme's title)",
        "05:30",
    ),
    "directory.review_reminders": (
        "opendeal.directory.tasks.send_review_reminders",
        "Remind owners of listings not reviewed for 12 months",
        "06:30",
    ),
    "deal.housekeeping": (
        "opendeal.deal.tasks.record_published_figures",
        "Record new care and observatory figures on the linked Deal measures",
        "07:00",
    ),
}


def entries() -> list[Entry]:
    """The schedule as configured, leaving out the entries in OPENDEAL_SCHEDULE_SKIP."""
    unknown = (
        set(settings.OPENDEAL_SCHEDULE_SKIP) | set(settings.OPENDEAL_SCHEDULE_DAILY_TIMES)
    ) - set(_ENTRIES)
    if unknown:
        raise ImproperlyConfigured(
            f"No scheduled task is called {', '.join(sorted(unknown))}; "
            f"they are {', '.join(_ENTRIES)}."
        )
    every = datetime.timedelta(minutes=settings.OPENDEAL_SCHEDULE_EVENTS_MINUTES)
    result = []
    for name, (path, description, default_at) in _ENTRIES.items():
        if name in settings.OPENDEAL_SCHEDULE_SKIP:
            continue
        if default_at is None:
            result.append(Entry(name, path, description, every=every))
            continue
        at = settings.OPENDEAL_SCHEDULE_DAILY_TIMES.get(name, default_at)
        try:
            time_of_day = datetime.time.fromisoformat(at)
        except ValueError:
            raise ImproperlyConfigured(
                f"OPENDEAL_SCHEDULE_DAILY_TIMES: “{at}” for {name} is not a time like 06:15."
            ) from None
        result.append(Entry(name, path, description, at=time_of_day))
    return result


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Queue every entry whose run for the present slot nobody has queued yet; return the names
    this call queued (those another worker won are left out)."""
    if not settings.OPENDEAL_SCHEDULE:
        return []
    now = now or timezone.now()
    queued = []
    for entry in entries():
        slot = entry.slot(now)
        if _already_queued(entry.name, slot):
            continue  # the usual case: queued already, by this worker or another
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=entry.name, slot=slot)
                result = import_string(entry.task).enqueue()
                run.task_result_id = str(result.id)[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker inserted the same run first, and queued it
        logger.info("Queued %s for %s", entry.name, slot.isoformat())
        queued.append(entry.name)
    return queued


def _already_queued(name: str, slot: datetime.datetime) -> bool:
    """A cheap look first, so the usual tick inserts nothing and no insert fails."""
    return ScheduledRun.objects.filter(name=name, slot=slot).exists()


@task()
def prune() -> dict[str, int]:
    """Delete what is no longer needed after OPENDEAL_KEEP_FINISHED_DAYS: finished tasks in
    the queue, the schedule's record of past runs, and finished jobs."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - datetime.timedelta(days=settings.OPENDEAL_KEEP_FINISHED_DAYS)
    with transaction.atomic():
        tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
        runs, _ = ScheduledRun.objects.filter(slot__lte=cutoff).delete()
        jobs, _ = Job.objects.filter(status__in=JOB_FINISHED, finished_at__lte=cutoff).delete()
    return {"tasks": tasks, "scheduled_runs": runs, "jobs": jobs}
