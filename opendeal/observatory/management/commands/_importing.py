"""What the observatory's import commands share: run an importer, turn its failures into
command errors that name the file, row and column, and print its report."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError

from opendeal.observatory.importers.base import ImportFailed


def run_import(command: BaseCommand, file: Path, importer: Callable[[TextIO], object]) -> None:
    # tqdm redraws its line with "\r", which Django's OutputWrapper would end with "\n";
    # so it writes to the stream the wrapper wraps (sys.stderr, or a test's StringIO).
    progress = getattr(command.stderr, "_out", sys.stderr)
    try:
        report = importer(progress)
    except OSError as error:
        raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{file.name} is not UTF-8 text.") from error
    except ImportFailed as failure:
        raise CommandError(str(failure)) from failure
    command.stdout.write(command.style.SUCCESS(str(report)))
