"""Import statistical neighbours, or set the council's own list:

    opendeal import_neighbours observatory/neighbours           # ONS similar areas, 3 models
    opendeal import_neighbours --area E08000010 --council E08000018 E08000027 E06000004

The council's list, when set, is the one the observatory's pages use for that area.
"""

from pathlib import Path

from django.core.management.base import CommandError

from opendeal.core.management.importing import ImportCommand
from opendeal.observatory.importers.base import ImportFailed
from opendeal.observatory.importers.neighbours import import_ons_neighbours, set_council_neighbours


class Command(ImportCommand):
    help = "Import ONS similar-areas neighbours from a folder, or set a council's own list."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, nargs="?", help="The ONS neighbours folder.")
        parser.add_argument("--area", help="With --council: the area whose neighbours are set.")
        parser.add_argument(
            "--council", nargs="+", metavar="GSS_CODE", help="Neighbours, in order."
        )

    def handle(self, *args, folder, area, council, **options) -> None:
        try:
            if council:
                if not area:
                    raise CommandError("--council needs --area.")
                count = set_council_neighbours(None, area, council)
                self.stdout.write(
                    self.style.SUCCESS(f"{area}: {count} neighbours set by the council.")
                )
                return
            if folder is None:
                raise CommandError("Give the ONS neighbours folder, or --area with --council.")
            self.stdout.write(self.style.SUCCESS(str(import_ons_neighbours(folder))))
        except ImportFailed as failure:
            raise CommandError(str(failure)) from failure
