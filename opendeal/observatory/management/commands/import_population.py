"""Import population denominators (all ages, 18+, 65+), all or none:

    opendeal import_population census2021_ts007_age_by_single_year_lad.csv
    opendeal import_population ons_mye_mid2019_*.rda ons_mye_mid2020_*.rda

A .csv file is Census 2021 TS007 as exported from Nomis; an .rda file ONS mid-year estimates.
"""

from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.population import import_population

from ._importing import run_import


class Command(ImportCommand):
    help = "Import population denominators from Census 2021 TS007 (.csv) or ONS MYE (.rda)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", type=Path, nargs="+", help="Population files.")
        parser.add_argument("--label", default="", help="The release's name.")

    def handle(self, *args, files: list[Path], label: str, **options) -> None:
        run_import(
            self,
            files,
            lambda progress: import_population(files, label=label, progress=progress),
        )
