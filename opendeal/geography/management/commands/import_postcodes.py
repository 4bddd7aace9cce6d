"""Load postcodes from the ONS Postcode Directory CSV, all rows or none:

    opendeal import_postcodes ONSPD_NOV_2025_UK.csv --local-authority E08000010

Without --local-authority every postcode in the file is loaded (about 2.7 million rows).
The file format is described in `opendeal.geography.importers.onspd`.
"""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from opendeal.core.management.importing import ImportCommand
from opendeal.geography.importers.onspd import ImportFailed, import_postcodes


class Command(ImportCommand):
    importer = "postcodes"

    help = (
        "Load postcodes, their coordinates, LSOA, ward and local authority from the ONS "
        "Postcode Directory CSV. All rows or none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The ONSPD CSV file (the whole-UK file).")
        parser.add_argument(
            "--local-authority",
            dest="local_authorities",
            nargs="+",
            default=[],
            metavar="GSS_CODE",
            help="Load only these local authorities' postcodes, e.g. E08000010 for Wigan.",
        )

    def handle(self, *args, file: Path, local_authorities: list[str], **options) -> None:
        # tqdm redraws its line with "\r", which Django's OutputWrapper would end with "\n";
        # so it writes to the stream the wrapper wraps (sys.stderr, or a test's StringIO).
        progress = getattr(self.stderr, "_out", sys.stderr)
        try:
            report = import_postcodes(file, local_authorities, progress=progress)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file.name} is not UTF-8 text.") from error
        except ImportFailed as failure:
            raise CommandError(f"{failure} Nothing was imported.") from failure
        self.stdout.write(self.style.SUCCESS(str(report)))
