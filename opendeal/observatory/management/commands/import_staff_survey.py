"""Import staff-survey engagement scores (OpenDeal's CSV layout), all or none:

    opendeal import_staff_survey staff-survey-engagement.csv --unit "score out of 10"

The layout is described in `opendeal.observatory.importers.staff_survey` and shown in
docs/examples/staff-survey-engagement.csv.
"""

from pathlib import Path

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.staff_survey import import_staff_survey

from ._importing import run_import


class Command(ImportCommand):
    help = "Import staff-survey engagement scores from a CSV in OpenDeal's layout."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The engagement scores CSV.")
        parser.add_argument("--unit", default="score", help='The score\'s unit (default "score").')
        parser.add_argument("--label", default="", help="The release's name.")

    def handle(self, *args, file: Path, unit: str, label: str, **options) -> None:
        run_import(
            self,
            file,
            lambda progress: import_staff_survey(file, unit=unit, label=label, progress=progress),
        )
