"""Import the Office for Local Government's adult social care measures, all or none:

opendeal import_oflog oflog_adult_social_care_measures_2015-16_to_2022-23.csv
"""

from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.oflog import import_oflog

from ._importing import run_import


class Command(ImportCommand):
    help = "Import Oflog's adult social care measures as releases (one per measure)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The Oflog measures CSV.")
        parser.add_argument("--label", default="", help="The release's name (default: file name).")

    def handle(self, *args, file: Path, label: str, **options) -> None:
        run_import(self, file, lambda progress: import_oflog(file, label=label, progress=progress))
