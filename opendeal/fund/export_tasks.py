"""Background tasks for the fund's published data (django-tasks).

`rebuild_published_files` builds the 360Giving files on the public page of awarded grants
(`opendeal.fund.published_files`). Changes to published data queue it, at most one waiting at
a time (`published_files.request_rebuild`); the workers' schedule may also queue it daily, to
pick up changes made outside the fund (a Deal theme's title, a directory term).
"""

from django_tasks import task

from . import published_files


@task()
def rebuild_published_files() -> dict[str, int]:
    """Rebuild the JSON, CSV and XLSX files; each new file's size in bytes, by format."""
    return {record.format: record.size for record in published_files.rebuild_published_files()}
