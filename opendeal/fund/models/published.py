"""The 360Giving files on the public page of awarded grants, built by a background task
(`opendeal.fund.published_files`): where each format's latest file is, and whether a rebuild
is waiting to start."""

from django.db import models

__all__ = ["PublishedFile", "PublishedFileFormat", "PublishedFilesRebuild"]


class PublishedFileFormat(models.TextChoices):
    JSON = "json", "360Giving JSON"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class PublishedFile(models.Model):
    """The latest built file of one format. The row is the pointer: a build writes its file
    under a new name and only then moves `name` to it, so a download reads either the whole
    old file or the whole new one. The file before (`previous_name`) is kept until the next
    build, for downloads that started just before the swap."""

    format = models.CharField(max_length=8, choices=PublishedFileFormat.choices, unique=True)
    name = models.CharField(max_length=300)  # in the storage
    previous_name = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField()  # bytes
    grant_count = models.PositiveIntegerField()
    # When the build began reading the grants: the file holds every change committed before.
    data_as_at = models.DateTimeField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.format}: {self.name}"


class PublishedFilesRebuild(models.Model):
    """A rebuild that is queued and has not started: at most one row (the unique `key`).
    A change to published data adds it, or locks it when it is there, and queues the rebuild
    only when it added it; the rebuild deletes it before it reads anything (see
    `published_files.request_rebuild`)."""

    key = models.CharField(max_length=20, unique=True, default="360giving")
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} rebuild requested at {self.requested_at:%Y-%m-%d %H:%M:%S}"
