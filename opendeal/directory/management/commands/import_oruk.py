"""Import an Open Referral UK (HSDS-UK 3.0) package or API into the directory, all or nothing:

opendeal import_oruk services.json                    # a JSON file of services
opendeal import_oruk path/to/csv-folder               # a folder of the standard's CSV files
opendeal import_oruk https://example.org/oruk/        # an API: every page of /services
"""

import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError
from tqdm import tqdm

from opendeal.core.management.importing import ImportCommand
from opendeal.directory.oruk.feed import import_feed, is_url
from opendeal.directory.oruk.importer import ImportReport, OrukImportError, import_package


class Command(ImportCommand):
    help = (
        "Import Open Referral UK data (a JSON file, a folder of the standard's CSV files, or an "
        "API's base URL) into the community directory, upserting by id. All records or none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "source", help="A JSON file, a folder of CSV files, or an API base URL (https://…)."
        )

    def handle(self, *args, source: str, **options) -> None:
        try:
            if is_url(source):
                report = self.import_from_api(source)
            else:
                report = import_package(Path(source))
        except OrukImportError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            # The checks refuse what the database would (e.g. NUL in text): should one slip
            # through, the run was still rolled back, and the reason is said without a traceback.
            raise CommandError(
                f"The package was not imported: the database refused it ({error}). Nothing was "
                "written."
            ) from error
        for key, counts in report.counts.items():
            self.stdout.write(f"{key}: {counts['created']} created, {counts['updated']} updated")
        if report.ignored_files:
            self.stdout.write("Not read: " + ", ".join(report.ignored_files))
        self.stdout.write(self.style.SUCCESS(f"Imported {source}."))

    def import_from_api(self, base_url: str) -> ImportReport:
        # tqdm redraws its line with "\r", which Django's OutputWrapper would end with "\n".
        progress = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(desc="Pages", unit="page", file=progress, disable=None) as bar:

            def on_page(page: int, total_pages: int) -> None:
                bar.total = total_pages
                bar.update(1)

            fed = import_feed(base_url, on_page=on_page)
        self.stdout.write(
            f"Read {fed.services} services from {fed.pages} pages ({fed.requests} requests)."
        )
        return fed.report
