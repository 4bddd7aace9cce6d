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
