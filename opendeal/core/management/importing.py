"""The base of every `opendeal import_…` command: each run is recorded as an ImportRun, so
failures are counted on /metrics whichever machine ran them."""

from typing import Any

from django.core.management.base import BaseCommand

from opendeal.core.metrics import import_run

# Options that name what a command imports, in the order they are looked for.
SOURCE_OPTIONS = ("file", "files", "folder", "source", "indicator")


def describe_source(options: dict[str, Any]) -> str:
    """What is imported (file paths, a URL or an indicator id), recorded but never its content."""
    for name in SOURCE_OPTIONS:
        value = options.get(name)
        if isinstance(value, list | tuple):
            return " ".join(str(item) for item in value)
        if value not in (None, ""):
            return str(value)
    return ""


class ImportCommand(BaseCommand):
    # The importer's name on /metrics, e.g. "oruk" or "postcodes"; by default the command's.
    importer: str = ""

    def execute(self, *args: Any, **options: Any) -> str | None:
        name = self.importer or self.__module__.rsplit(".", 1)[-1].removeprefix("import_")
        with import_run(name, describe_source(options)):
            return super().execute(*args, **options)
