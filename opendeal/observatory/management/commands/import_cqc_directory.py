"""Import care homes and their ratings from a CQC care directory snapshot, all or none:

    opendeal import_cqc_directory cqc_care_directory_2019-07-17.csv [--date 2019-07-17]

Local authorities are matched by name against areas already imported (import Fingertips or
population files first).
"""

import datetime
from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.cqc import import_cqc_directory

from ._importing import run_import


class Command(ImportCommand):
    help = "Count care homes and the share rated Good or Outstanding from a CQC directory CSV."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The CQC care directory CSV.")
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="The snapshot's date, YYYY-MM-DD (default: the date in the file name).",
        )
        parser.add_argument("--label", default="", help="The release's name.")

    def handle(self, *args, file: Path, date, label: str, **options) -> None:
        run_import(
            self,
            file,
            lambda progress: import_cqc_directory(file, date=date, label=label, progress=progress),
        )
