"""Tasks for the worker tests: each writes rows in one transaction, as real tasks do."""

import time
from pathlib import Path

from django.db import transaction
from django_tasks import task

from opendeal.core.models import ImportRun


@task()
def record_once(label: str) -> None:
    with transaction.atomic():
        ImportRun.objects.create(importer="worker-test", source=label)


@task()
def write_two_rows(label: str, hold_while: str) -> None:
    """Writes part 1, waits while the file `hold_while` exists, then writes part 2."""
    with transaction.atomic():
        ImportRun.objects.create(importer="worker-test", source=f"{label} part 1")
        Path(f"{hold_while}.reached").touch()
        while Path(hold_while).exists():
            time.sleep(0.05)
        ImportRun.objects.create(importer="worker-test", source=f"{label} part 2")


@task()
def counting_job(job_id: str) -> str:
    """A job that counts its parameters' `items` in one transaction, then ends as they say:
    "succeed", "fail" (JobFailed with two problems) or "crash" (an unforeseen error)."""
    from opendeal.core.jobs import JobFailed, run_job

    def work(job, progress) -> str:
        items = job.parameters["items"]
        progress.start(items)
        with transaction.atomic():
            for _ in progress.track(range(items)):
                ImportRun.objects.create(importer="job-test", source=job.title)
            outcome = job.parameters["outcome"]
            if outcome == "fail":
                raise JobFailed(
                    "The file has 2 problems.", ["a.csv: Row 2: bad", "a.csv: Row 3: worse"]
                )
            if outcome == "crash":
                raise RuntimeError("person@example.org broke it")
        return f"Counted {items}."

    return run_job(job_id, work)
