"""The `opendeal` console command: Django's manage.py under the project's own name.

Commands may be written with hyphens as well as underscores (`opendeal move-database`,
`opendeal import-postcodes`), as the documentation and shell habits spell them."""

import os
import sys


def command_line(argv: list[str]) -> list[str]:
    """argv with a hyphenated command name written as Django's underscored one."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendeal.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_line(sys.argv))


if __name__ == "__main__":
    main()
