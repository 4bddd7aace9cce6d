"""The 360Giving files offered on the public page of awarded grants (JSON, CSV and XLSX), built
by a background task, never inside a web request.

Building (`build_published_files`): one pass over the grants writes all three files to a
temporary directory (so they hold the same grants), then each is saved into the storage under
a new name nobody points to yet, and only then, in one transaction, the `PublishedFile` rows
move to the new names. A download therefore reads either the whole old file or the whole new
one; a build that fails at any step deletes what it saved and leaves the previous files and
rows as they were. The file before the current one is kept until the next build, for downloads
that began just before a swap.

The storage is the one supporting documents use (settings.STORAGES["private"]: an S3-compatible
object store through django-storages where OPENDEAL_S3_BUCKET is set, else a directory outside
the web root); a `OPENDEAL_PUBLISHED_FILES_STORAGE` setting names another alias. Files are
handed out by the download view: streamed from a local directory, or by a short-lived signed
link to the object store (whose files are read whole into memory when opened in Python).

Rebuilding (`request_rebuild`): every change to published data calls it inside its own
transaction. At most one rebuild waits in the queue: a `PublishedFilesRebuild` row (unique key)
stands for it. A change adds the row and queues the task with its transaction; a change that
finds the row there locks it (an UPDATE) and queues nothing. The rebuild deletes the row before
it reads any grant, and that DELETE waits for every transaction that locked the row, so a change
that joined a queued rebuild is always in what that rebuild reads: no change is left out of the
files, and a burst of awards costs one rebuild. A row older than `STALE_AFTER` (its task lost,
say, when a development server stopped between a commit and the immediate run) is replaced.

`rebuild_published_files()` rebuilds now; the task of the same name in
`opendeal.fund.export_tasks` runs it in a worker, after changes and daily.
"""

import csv
import datetime
import logging
import tempfile
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook

from opendeal.core.mail import enqueue_with_transaction

from . import giving360
from .models import Grant, PublishedFile, PublishedFileFormat, PublishedFilesRebuild

logger = logging.getLogger(__name__)

DIRECTORY = "360giving"
REBUILD_KEY = "360giving"
# A queued rebuild not started after this long is taken as lost, and another is queued.
STALE_AFTER = datetime.timedelta(hours=1)
# How long the download page asks a client to wait while the first files are built.
RETRY_AFTER_SECONDS = 60
LONDON = zoneinfo.ZoneInfo("Europe/London")

FORMATS = tuple(PublishedFileFormat.values)  # json, csv, xlsx: the page's order
CONTENT_TYPES = {
    PublishedFileFormat.JSON: "application/json",
    PublishedFileFormat.CSV: "text/csv; charset=utf-8",
    PublishedFileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LINK_TEXTS = {
    PublishedFileFormat.JSON: "Grants as 360Giving JSON",
    PublishedFileFormat.CSV: "Grants as a spreadsheet (CSV)",
    PublishedFileFormat.XLSX: "Grants as an Excel workbook (XLSX)",
}


def storage() -> Storage:
    return storages[getattr(settings, "OPENDEAL_PUBLISHED_FILES_STORAGE", "private")]


# --- Building ----------------------------------------------------------------------------------


def rebuild_published_files() -> list[PublishedFile]:
    """Build the files now (what the task runs, after changes and daily). The queued-rebuild
    row goes first, committed, so any change made from here on queues another rebuild."""
    with transaction.atomic():
        PublishedFilesRebuild.objects.filter(key=REBUILD_KEY).delete()
    return build_published_files()


def build_published_files() -> list[PublishedFile]:
    """Build the three files from the grants as they are now and swap them in; the new rows.
    With no grants there is nothing to publish: nothing changes and the list is empty."""
    data_as_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix="opendeal-360giving-") as directory:
        paths, grant_count = write_files(Path(directory), data_as_at=data_as_at)
        if not grant_count:
            return []
        return _store_and_swap(paths, grant_count=grant_count, data_as_at=data_as_at)


def write_files(directory: Path, *, data_as_at: datetime.datetime) -> tuple[dict[str, Path], int]:
    """The three files in `directory`, from one pass over the grants (one query stream, and
    the same grants in each); their paths by format and how many grants they hold."""
    grants = giving360.published_grants()
    columns = giving360.FlatColumns.for_grants(grants)
    paths = {format: directory / f"grants.{format}" for format in FORMATS}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("grants")
    sheet.append(columns.titles)
    count = 0
    try:
        with (
            paths["json"].open("w", encoding="utf-8", newline="") as json_file,
            paths["csv"].open("w", encoding="utf-8", newline="") as csv_file,
        ):
            writer = csv.writer(csv_file, lineterminator="\n")
            writer.writerow(columns.titles)

            def each_grant() -> Iterator[dict[str, Any]]:
                nonlocal count
                for grant in giving360.grant_objects(grants):
                    row = columns.row(grant)
                    writer.writerow(row)
                    sheet.append(giving360.xlsx_row(row))
                    count += 1
                    yield grant

            metadata = giving360.package_metadata(issued=data_as_at)
            json_file.writelines(giving360.json_package(each_grant(), metadata))
    except BaseException:
        sheet.close()  # openpyxl's half-written sheet, before its directory goes
        raise
    workbook.save(paths["xlsx"])
    return paths, count


def _store_and_swap(
    paths: dict[str, Path], *, grant_count: int, data_as_at: datetime.datetime
) -> list[PublishedFile]:
    store = storage()
    stamp = f"{timezone.localtime(data_as_at, LONDON):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    saved: dict[str, str] = {}
    try:
        for format, path in paths.items():
            with path.open("rb") as source:
                saved[format] = store.save(
                    f"{DIRECTORY}/360giving-grants-{stamp}.{format}", File(source)
                )
        with transaction.atomic():
            current = {
                record.format: record
                for record in PublishedFile.objects.select_for_update().filter(format__in=saved)
            }
            if any(record.data_as_at > data_as_at for record in current.values()):
                # A build that began later has finished first: its files are newer than ours.
                _delete_quietly(store, list(saved.values()))
                return [current[format] for format in FORMATS if format in current]
            superseded: list[str] = []
            records = []
            built_at = timezone.now()
            for format, name in saved.items():
                record = current.get(format) or PublishedFile(format=format)
                if record.previous_name:
                    superseded.append(record.previous_name)
                record.previous_name = record.name
                record.name = name
                record.size = paths[format].stat().st_size
                record.grant_count = grant_count
                record.data_as_at = data_as_at
                record.built_at = built_at
                record.save()
                records.append(record)
            # Two builds back: no download can still be starting on these.
            transaction.on_commit(lambda: _delete_quietly(store, superseded))
    except BaseException:
        _delete_quietly(store, list(saved.values()))
        raise
    logger.info("Built the 360Giving files: %s grants", grant_count)
    return records


def _delete_quietly(store: Storage, names: list[str]) -> None:
    for name in names:
        try:
            store.delete(name)
        except Exception:  # a file already gone, or the store unreachable: not worth failing
            logger.warning("Could not delete the old 360Giving file %s", name, exc_info=True)


# --- Queueing a rebuild ------------------------------------------------------------------------


def request_rebuild() -> bool:
    """Queue a rebuild of the files with the current transaction, unless one is queued and
    not yet started, which then includes this transaction's changes (see the module's
    docstring). Call it inside the transaction that changes published data. Whether this call
    queued one."""
    from .export_tasks import rebuild_published_files as rebuild_task

    now = timezone.now()
    for _attempt in range(2):
        if _join_queued_rebuild(now):
            return False
        try:
            with transaction.atomic():
                PublishedFilesRebuild.objects.create(key=REBUILD_KEY, requested_at=now)
        except IntegrityError:
            continue  # another change queued one just now: join it
        enqueue_with_transaction(rebuild_task)
        return True
    enqueue_with_transaction(rebuild_task)  # it keeps slipping away: one rebuild too many is fine
    return True


def _join_queued_rebuild(now: datetime.datetime) -> bool:
    rows = PublishedFilesRebuild.objects.filter(key=REBUILD_KEY)
    # The UPDATE locks the row until this transaction ends: the rebuild's DELETE waits for it.
    if rows.filter(requested_at__gte=now - STALE_AFTER).update(requested_at=F("requested_at")):
        return True
    rows.filter(requested_at__lt=now - STALE_AFTER).delete()
    return False


def rebuild_is_queued() -> bool:
    return PublishedFilesRebuild.objects.filter(key=REBUILD_KEY).exists()


# --- Reading, for the public page and the downloads --------------------------------------------


def as_at_text(moment: datetime.datetime) -> str:
    """A time as GOV.UK writes it, in the UK: "2:05pm on 3 March 2025", "midday on …"."""
    local = timezone.localtime(moment, LONDON)
    if (local.hour, local.minute) == (0, 0):
        time_of_day = "midnight"
    elif (local.hour, local.minute) == (12, 0):
        time_of_day = "midday"
    else:
        hour = local.hour % 12 or 12
        time_of_day = f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    return f"{time_of_day} on {local.day} {local:%B %Y}"


def size_text(size: int) -> str:
    """A file's size as GOV.UK attachments give it: 820 bytes, 12 KB, 1.4 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def file_name(record: PublishedFile) -> str:
    """The name a download is saved as: the date the data is as at."""
    day = timezone.localtime(record.data_as_at, LONDON).date()
    return f"360giving-grants-{day:%Y-%m-%d}.{record.format}"


@dataclass(frozen=True)
class Download:
    format: str
    link_text: str
    size: str
    grant_count: int


@dataclass(frozen=True)
class PublicFiles:
    """What the public page says about the files: the downloads (empty while the first are
    being built), the time their data is as at, and whether newer ones are on the way."""

    downloads: list[Download]
    data_as_at: str
    updating: bool

    @property
    def preparing(self) -> bool:
        return not self.downloads


def public_files() -> PublicFiles:
    """The latest files for the page. With none built yet (a new site, or the first grant
    awarded moments ago), a build is queued, and the page says the files are being prepared."""
    records = _latest()
    if len(records) < len(FORMATS):
        request_rebuild()
        records = _latest()  # the immediate task backend (a laptop demo) has built them now
    if len(records) < len(FORMATS):
        return PublicFiles([], "", updating=True)
    downloads = [
        Download(
            record.format,
            LINK_TEXTS[record.format],
            size_text(record.size),
            record.grant_count,
        )
        for record in records
    ]
    oldest = min(record.data_as_at for record in records)
    return PublicFiles(downloads, as_at_text(oldest), updating=rebuild_is_queued())


def _latest() -> list[PublishedFile]:
    found = {record.format: record for record in PublishedFile.objects.all()}
    return [found[format] for format in FORMATS if format in found]


@dataclass(frozen=True)
class FileToSend:
    """A built file for the download view: an open file to stream, or a signed link to it in
    the object store."""

    filename: str
    content_type: str
    file: IO[bytes] | None = None
    url: str | None = None


def file_to_send(format: str) -> FileToSend | None:
    """The latest built file of this format, or None when there is none yet (a build is then
    queued). Raises LookupError for a format that is not published."""
    if format not in FORMATS:
        raise LookupError(format)
    record = PublishedFile.objects.filter(format=format).first()
    if record is None or not _stored(record):
        if not has_grants():
            return None
        request_rebuild()
        record = PublishedFile.objects.filter(format=format).first()
        if record is None or not _stored(record):
            return None
    filename, content_type = file_name(record), CONTENT_TYPES[format]
    store = storage()
    if url := _signed_url(store, record.name, filename, content_type):
        return FileToSend(filename, content_type, url=url)
    try:
        opened = store.open(record.name, "rb")
    except FileNotFoundError:  # deleted between the look and the open
        return None
    return FileToSend(filename, content_type, file=opened)


def _stored(record: PublishedFile) -> bool:
    try:
        return storage().exists(record.name)
    except Exception:  # the store unreachable: say "not yet", not "broken"
        logger.warning("Could not reach the 360Giving files' storage", exc_info=True)
        return False


def _signed_url(store: Storage, name: str, filename: str, content_type: str) -> str | None:
    """For an object store (django-storages' S3), a short-lived signed link that makes the
    browser save the file under `filename`; None for a local directory."""
    if isinstance(store, FileSystemStorage):
        return None
    parameters = {
        "ResponseContentDisposition": f'attachment; filename="{filename}"',
        "ResponseContentType": content_type,
    }
    try:
        return store.url(name, parameters=parameters)
    except TypeError:  # a storage whose links take no parameters: stream it instead
        return None


def has_grants() -> bool:
    return Grant.objects.exists()


__all__ = [
    "FileToSend",
    "PublicFiles",
    "build_published_files",
    "file_to_send",
    "public_files",
    "rebuild_published_files",
    "request_rebuild",
]
