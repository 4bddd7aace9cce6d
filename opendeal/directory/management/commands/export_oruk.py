"""Export the whole directory as an Open Referral UK (HSDS-UK 3.0) package:

    opendeal export_oruk --output directory.json
    opendeal export_oruk --format csv --output directory-csv/

`import_oruk` reads either back unchanged.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendeal.directory.oruk.exporter import json_package, write_csv_package


class Command(BaseCommand):
    help = "Export the community directory as an Open Referral UK JSON file or CSV folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", type=Path, required=True, help="The JSON file, or the folder for CSV."
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, output: Path, format: str, **options) -> None:
        try:
            if format == "csv":
                files = write_csv_package(output)
                self.stdout.write(self.style.SUCCESS(f"Wrote {len(files)} CSV files to {output}."))
                return
            package = json_package()
            output.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {package['total_items']} services to {output}.")
        )
