"""`opendeal move_database --to postgres://…`: copy this instance's database into a new one."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opendeal.core.database_copy import DatabaseCopyError, move_database


class Command(BaseCommand):
    help = (
        "Copy every table of the configured database (for example the embedded SQLite one) "
        "into a new, empty database at --to, then check every table's row count and checksum. "
        "Stop the web servers and workers first, so nothing is written to the old database "
        "after the copy; then point DATABASE_URL at the new one."
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

        try:
            copied = move_database(to, progress=progress)
        except DatabaseCopyError as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars.values():
                bar.close()
        rows = sum(table.rows for table in copied.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied {rows:,} rows in {len(copied)} tables; every table's row count and "
                "checksum match the source."
            )
        )
