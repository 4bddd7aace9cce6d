"""Record progress from a CSV file, all rows or none, as a named member of staff:

    opendeal import_progress docs/examples/progress-updates.csv --deal the-deal \
        --as administrator@demo.opendeal.example

(Django names commands after their module, so it is `import_progress`, with an underscore.)
The file format is described in `opendeal.deal.importers.progress_csv`.
"""

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from tqdm import tqdm

from opendeal.core.management.accounts import active_account
from opendeal.core.management.importing import ImportCommand
from opendeal.deal.importers.progress_csv import (
    ImportFailed,
    ProgressCsvImporter,
    can_import_progress,
)
from opendeal.deal.models import Deal


class Command(ImportCommand):
    importer = "deal_progress"

    help = (
        "Record readings and milestones from a CSV file with the columns "
        "measure,date,value,milestone,note. All rows or none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", type=Path, help="The CSV file, UTF-8 (a byte order mark is fine)."
        )
        parser.add_argument("--deal", required=True, help="The short name (slug) of the Deal.")
        parser.add_argument(
            "--as",
            dest="as_email",
            required=True,
            metavar="EMAIL",
            help="Email address of the account the updates are recorded as.",
        )

    def handle(self, *args, file: Path, deal: str, as_email: str, **options) -> None:
        the_deal = Deal.objects.filter(slug=deal).first()
        if the_deal is None:
            raise CommandError(f"There is no Deal with the short name “{deal}”.")
        actor = active_account(as_email)
        allowed, reason = can_import_progress(actor)
        if not allowed:
            raise CommandError(reason)
        importer = ProgressCsvImporter(the_deal, actor)
        try:
            with file.open(encoding="utf-8-sig", newline="") as stream:
                rows = importer.check(stream, file.name)
            report = importer.record(self._with_progress_bar(rows), file.name)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file.name} is not UTF-8 text. Save it as CSV UTF-8.") from error
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ImportFailed as failure:
            for problem in failure.errors:
                self.stderr.write(str(problem))
            raise CommandError(str(failure)) from failure
        self.stdout.write(self.style.SUCCESS(str(report)))

    def _with_progress_bar(self, rows: list) -> tqdm:
        # tqdm redraws its line with "\r", which Django's OutputWrapper would end with "\n";
        # so it writes to the stream the wrapper wraps (sys.stderr, or a test's StringIO).
        stream = getattr(self.stderr, "_out", sys.stderr)
        return tqdm(rows, desc="Recording", unit="row", file=stream, disable=not rows)
