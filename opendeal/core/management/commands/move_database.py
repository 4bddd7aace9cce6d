"""`opendeal move_database --to postgres://…`: copy this instance's database into a new one."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opendeal.core.database_copy import DatabaseCopyError, move_database


class Command(BaseCommand):
    help = (
        "Copy every table of the configured database (for example the embedded SQLite one) "
        "into a new, empty database at --to, then check every table's row count and checksum. "
        "The instance may keep running: the copy is taken from a consistent snapshot and holds "
        "everything committed up to it, without holding up writers. Writes after the snapshot "
        "are not copied, so for the switch itself stop the web servers and workers first (or "
        "run the move again into a new empty database once they are stopped), then point "
        "DATABASE_URL at the new database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", required=True, metavar="DATABASE_URL")

    def handle(self, *args, to: str, **options) -> None:
        bars: dict[str, tqdm] = {}

        def progress(table: str, done: int, total: int) -> None:
            bar = bars.get(table)
            if bar is None:
                bar = bars[table] = tqdm(
                    total=total, desc=table, unit="rows", leave=False, file=self.stderr
                )
            bar.n = done
            bar.refresh()
            if done >= total:
                bar.close()

        taken: list[datetime.datetime] = []

        def snapshot_taken(when: datetime.datetime) -> None:
            taken.append(when)
            self.stdout.write(
                f"Copying everything committed up to {_when(when)} (a snapshot of the source; "
                "the source stays open for writing)."
            )

        try:
            copied = move_database(to, progress=progress, snapshot_taken=snapshot_taken)
        except DatabaseCopyError as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars.values():
                bar.close()
        rows = sum(table.rows for table in copied.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied {rows:,} rows in {len(copied)} tables; every table's row count and "
                "checksum match the source's snapshot."
            )
        )
        self.stdout.write(
            f"Anything written to the source after {_when(taken[0])} is not in the copy. If "
            "the web servers and workers were stopped before the move, point DATABASE_URL at "
            "the new database and start them. If they were running, stop them, run the move "
            "again into a new, empty database (the target now holds this copy, so it refuses a "
            "second one), then point DATABASE_URL at that and start them."
        )


def _when(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
