"""The base of every `opendeal import_…` command: each run is recorded as an ImportRun, so
failures are counted on /metrics whichever machine ran them."""

from typing import Any

from django.core.management.base import BaseCommand

from opendeal.core.metrics import import_run


class ImportCommand(BaseCommand):
    # The importer's name on /metrics, e.g. "oruk" or "postcodes".
    importer: str = ""
    # The option naming what is imported (a file path or a URL); recorded, never its content.
    source_option: str = "file"

    def execute(self, *args: Any, **options: Any) -> str | None:
        source = options.get(self.source_option) or ""
        with import_run(self.importer or self.__module__.rsplit(".", 1)[-1], str(source)):
            return super().execute(*args, **options)
