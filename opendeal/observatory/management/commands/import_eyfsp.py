"""Import school readiness from the DfE Early Years Foundation Stage Profile CSV, all or none:

opendeal import_eyfsp dfe_eyfsp_good_level_of_development_2012-13_to_2018-19.csv
"""

from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.eyfsp import import_eyfsp

from ._importing import run_import


class Command(ImportCommand):
    help = "Import the DfE EYFSP good level of development (school readiness) as a release."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The EYFSP underlying data CSV.")
        parser.add_argument("--label", default="", help="The release's name (default: file name).")

    def handle(self, *args, file: Path, label: str, **options) -> None:
        run_import(self, file, lambda progress: import_eyfsp(file, label=label, progress=progress))
