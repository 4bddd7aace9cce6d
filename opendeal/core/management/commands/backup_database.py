"""`opendeal backup_database --output FILE`: a consistent backup of the running database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendeal.core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the configured database while it runs: SQLite through its online backup API, "
        "PostgreSQL with pg_dump (custom format). Restore with restore_database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", required=True, type=Path, metavar="FILE")

    def handle(self, *args, output: Path, **options) -> None:
        try:
            written = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = written.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up to {written} ({size:,} bytes)."))
