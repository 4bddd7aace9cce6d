"""Import a Fingertips API CSV as a release, all rows or none:

    opendeal import_fingertips --file fingertips_92443.csv
    opendeal import_fingertips --indicator 92443 --area-type 502

With --indicator the file is first fetched from the Fingertips API
(OPENDEAL_FINGERTIPS_API_URL) into var/public-data/fingertips/. Importing the same file again
changes nothing. The format is described in `opendeal.observatory.importers.fingertips`.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers import fingertips
from opendeal.observatory.management.commands._importing import run_import


class Command(ImportCommand):
    help = "Import OHID Fingertips figures (the API's CSV) as a release. All rows or none."

    def add_arguments(self, parser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path, help="A CSV file downloaded from Fingertips.")
        source.add_argument("--indicator", type=int, help="Fetch this indicator id from the API.")
        parser.add_argument(
            "--area-type",
            type=int,
            default=502,
            help="Fingertips child area type id with --indicator (default 502, upper tier).",
        )
        parser.add_argument("--label", default="", help="The release's name (default: file name).")
        parser.add_argument(
            "--published",
            type=datetime.date.fromisoformat,
            help="When the release was published, YYYY-MM-DD.",
        )

    def handle(self, *args, file, indicator, area_type, label, published, **options) -> None:
        if indicator is not None:
            today = datetime.date.today().isoformat()
            file = (
                Path(settings.VAR_DIR)
                / "public-data"
                / "fingertips"
                / f"fingertips_{indicator}_area_type_{area_type}_{today}.csv"
            )
            self.stderr.write(f"Fetching indicator {indicator} from Fingertips…")
            try:
                fingertips.fetch(indicator, area_type, file)
            except OSError as error:
                raise CommandError(f"Could not fetch indicator {indicator}: {error}") from error
        run_import(
            self,
            file,
            lambda progress: fingertips.import_fingertips(
                file, label=label, published_on=published, progress=progress
            ),
        )
