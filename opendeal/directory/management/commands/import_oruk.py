"""Import an Open Referral UK (HSDS-UK 3.0) package into the directory, all of it or nothing:

opendeal import_oruk services.json        # a JSON file of services
opendeal import_oruk path/to/csv-folder   # a folder of the standard's CSV files
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendeal.directory.oruk.importer import OrukImportError, import_package


class Command(BaseCommand):
    help = (
        "Import an Open Referral UK package (a JSON file, or a folder of the standard's CSV "
        "files) into the community directory, upserting by id. All records or none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, help="A JSON file or a folder of CSV files.")

    def handle(self, *args, source: Path, **options) -> None:
        try:
            report = import_package(source)
        except OrukImportError as error:
            raise CommandError(str(error)) from error
        for key, counts in report.counts.items():
            self.stdout.write(f"{key}: {counts['created']} created, {counts['updated']} updated")
        if report.ignored_files:
            self.stdout.write("Not read: " + ", ".join(report.ignored_files))
        self.stdout.write(self.style.SUCCESS(f"Imported {source}."))
