"""Import council spending from Revenue Outturn Summary workbooks (.xls), all or none:

    opendeal import_revenue_outturn finance/mhclg_revenue_outturn_summary_RS_*.xls

Give every year's workbook in one go: together they are one release, and the GSS codes of
authorities come from the workbooks that have them (2014-15 on).
"""

from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.revenue_outturn import import_revenue_outturn

from ._importing import run_import


class Command(ImportCommand):
    help = "Import net current expenditure by service from Revenue Outturn Summary workbooks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", type=Path, nargs="+", help="RS workbooks, one per year.")
        parser.add_argument("--label", default="", help="The release's name.")

    def handle(self, *args, files: list[Path], label: str, **options) -> None:
        run_import(
            self,
            files,
            lambda progress: import_revenue_outturn(files, label=label, progress=progress),
        )
