"""The progress CSV import started from the web: a background job (`opendeal.core.jobs`).

The page checks the upload is a UTF-8 file of a sensible size, keeps it in the private store
(never under the web root, and shared by every machine), and queues the job; the person is sent
to the job's status page. A worker then checks and records the file exactly as
`import_progress` does (all rows or none, every problem named by file, row and column), reporting
how many rows it has recorded, and deletes the stored file once the job has finished.
"""

import io
import uuid

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django_tasks import task

from opendeal.core.jobs import JobFailed, Progress, run_job, start_job
from opendeal.core.metrics import import_run
from opendeal.core.models import Job, User
from opendeal.core.permissions import require

from ..models import Deal
from .progress_csv import ImportFailed, ProgressCsvImporter, can_import_progress

KIND = "deal.progress_import"
# Where uploads wait for their job in the private store.
UPLOAD_FOLDER = "jobs/deal-progress"


def problems_message(count: int) -> str:
    counted = "1 problem" if count == 1 else f"{count} problems"
    return f"The file has {counted}. Nothing has been imported. Fix the file and upload it again."


def start_progress_import(actor: User, deal: Deal, file_name: str, content: bytes) -> Job:
    """Keep the uploaded file and queue its import, to be recorded as `actor`."""
    require(can_import_progress(actor))
    storage = storages["private"]
    stored_as = storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4()}.csv", ContentFile(content))
    try:
        return start_job(
            import_progress_file,
            kind=KIND,
            title=f"Import progress from {file_name}",
            started_by=actor,
            parameters={
                "deal": str(deal.public_id),
                "file_name": file_name[:200],
                "stored_as": stored_as,
                "unit": "rows",
            },
            next_url=reverse("deal:manage-import"),
        )
    except BaseException:
        storage.delete(stored_as)
        raise


@task()
def import_progress_file(job_id: str) -> str:
    return run_job(job_id, _import)


def _import(job: Job, progress: Progress) -> str:
    parameters = job.parameters
    file_name = parameters["file_name"]
    storage = storages["private"]
    try:
        with import_run("deal_progress", file_name):
            return _check_and_record(job, progress, file_name, storage)
    finally:
        storage.delete(parameters["stored_as"])


def _check_and_record(job: Job, progress: Progress, file_name: str, storage) -> str:
    deal = Deal.objects.filter(public_id=job.parameters["deal"]).first()
    if deal is None:
        raise JobFailed(
            "The Deal has been deleted since the file was uploaded. Nothing has been imported."
        )
    if job.started_by is None:
        raise JobFailed(
            "The account that uploaded the file has been removed. Nothing has been imported."
        )
    with storage.open(job.parameters["stored_as"], "rb") as stored:
        text = stored.read().decode("utf-8-sig")
    importer = ProgressCsvImporter(deal, job.started_by)
    try:
        rows = importer.check(io.StringIO(text, newline=""), file_name)
        progress.start(len(rows))
        report = importer.record(progress.track(rows), file_name)
    except ImportFailed as failure:
        errors = [str(error) for error in failure.errors]
        raise JobFailed(problems_message(len(errors)), errors) from failure
    except PermissionDenied as refusal:
        raise JobFailed(f"{refusal} Nothing has been imported.") from refusal
    return str(report)
