"""`opendeal restore_database FILE --to DATABASE_URL`: restore a backup into a new database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendeal.core.backups import BackupError, restore
from opendeal.core.database_copy import connect, fingerprints


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_database into a new, empty database (PostgreSQL) or "
        "a new file (SQLite), then list each table's row count. Compare with the live database "
        "with compare_databases --with DATABASE_URL."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup", type=Path, metavar="FILE")
        parser.add_argument("--to", required=True, metavar="DATABASE_URL")

    def handle(self, *args, backup: Path, to: str, **options) -> None:
        try:
            restore(backup, to)
        except BackupError as error:
            raise CommandError(str(error)) from error
        restored = fingerprints(connect(to, "restored"))
        rows = sum(table.rows for table in restored.values())
        self.stdout.write(self.style.SUCCESS(f"Restored {rows:,} rows in {len(restored)} tables."))
