"""Import population denominators (all ages, 18+, 65+), all or none:

    opendeal import_population census2021_ts007_age_by_single_year_lad.csv
    opendeal import_population ons_mye_mid2019_*.rda ons_mye_mid2020_*.rda
    opendeal import_population nomis_mye_aged16plus_lad_2010_to_2021.xlsx

A .csv file is Census 2021 TS007 as exported from Nomis; an .rda file ONS mid-year estimates;
an .xlsx file ONS mid-year estimates by district and year as exported from Nomis (districts by
name, matched to areas already imported, so import the census first).
"""

from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.population import import_population

from ._importing import run_import


class Command(ImportCommand):
    help = (
        "Import population denominators from Census 2021 TS007 (.csv), ONS MYE (.rda) or "
        "Nomis MYE by district and year (.xlsx)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", type=Path, nargs="+", help="Population files.")
        parser.add_argument("--label", default="", help="The release's name.")

    def handle(self, *args, files: list[Path], label: str, **options) -> None:
        run_import(
            self,
            files,
            lambda progress: import_population(files, label=label, progress=progress),
        )
