"""`opendeal compare_databases --with DATABASE_URL`: is another database the same as this one?"""

from django.core.management.base import BaseCommand, CommandError

from opendeal.core.database_copy import compare, connect, fingerprints


class Command(BaseCommand):
    help = (
        "Compare every table's row count and checksum in the configured database with another "
        "database (a restored backup, or the target of move_database). Exits 1 if any differ."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--with", dest="other", required=True, metavar="DATABASE_URL")

    def handle(self, *args, other: str, **options) -> None:
        mine = fingerprints("default")
        theirs = fingerprints(connect(other, "compared"))
        differences = compare(mine, theirs)
        if differences:
            raise CommandError("The databases differ: " + "; ".join(differences))
        rows = sum(table.rows for table in mine.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"The same: {len(mine)} tables, {rows:,} rows, every checksum equal."
            )
        )
