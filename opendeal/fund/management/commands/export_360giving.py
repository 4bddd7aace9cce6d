"""Export every grant the fund has made as 360Giving data:

    opendeal export_360giving                          # the JSON package, to standard output
    opendeal export_360giving --format csv --output grants.csv
    opendeal export_360giving --format xlsx --output grants.xlsx

Streamed from the database, so a million grants need no more memory than ten.
"""

import sys
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opendeal.fund import giving360


class Command(BaseCommand):
    help = "Export the fund's grants as 360Giving data: a JSON package, CSV or XLSX."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument(
            "--output", type=Path, help="The file to write (standard output when not given)."
        )

    def handle(self, *args, format: str, output: Path | None, **options) -> None:
        grants = giving360.published_grants()
        total = grants.count()
        if not total:
            # A 360Giving package must hold at least one grant.
            raise CommandError("There are no grants to publish yet.")
        progress = tqdm(total=total, unit=" grants", file=sys.stderr, disable=None)
        try:
            if output is None:
                self._write(format, grants, progress, None)
                return
            partial = output.with_name(output.name + ".partial")
            try:
                with partial.open("wb") as stream:
                    self._write(format, grants, progress, stream)
                partial.replace(output)
            except OSError as error:
                partial.unlink(missing_ok=True)
                raise CommandError(f"Could not write {output}: {error}") from error
        finally:
            progress.close()
        self.stderr.write(f"Wrote {total} grants to {output} as {format.upper()}.")

    def _write(self, format, grants, progress, stream: IO[bytes] | None) -> None:
        def counted(items):
            for item in items:
                progress.update()
                yield item

        if format == "xlsx":
            export = giving360.flat_export(grants)
            export.rows = counted(export.rows)
            giving360.write_xlsx(export, stream or sys.stdout.buffer)
            return
        if format == "csv":
            export = giving360.flat_export(grants)
            export.rows = counted(export.rows)
            pieces = giving360.csv_lines(export)
        else:
            pieces = giving360.json_package(
                counted(giving360.grant_objects(grants)), giving360.package_metadata()
            )
        for piece in pieces:
            if stream is None:
                self.stdout.write(piece, ending="")
            else:
                stream.write(piece.encode("utf-8"))
