"""What the observatory's import commands share: run an importer, turn its failures into
command errors that name the file, row and column, and print its report."""

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError

from opendeal.observatory.importers.base import ImportFailed


def run_import(
    command: BaseCommand, files: Path | Sequence[Path], importer: Callable[[TextIO], object]
) -> None:
    """Run `importer` (given the stream for its progress bar) on `files`, the file or files
    it reads, which errors that the importer does not place itself are said of."""
    files = [files] if isinstance(files, Path) else list(files)
    # tqdm redraws its line with "\r", which Django's OutputWrapper would end with "\n";
    # so it writes to the stream the wrapper wraps (sys.stderr, or a test's StringIO).
    progress = getattr(command.stderr, "_out", sys.stderr)
    try:
        report = importer(progress)
    except OSError as error:
        # The exception knows which file it was; the first of several is only a guess.
        failed = error.filename or (files[0] if len(files) == 1 else ", ".join(map(str, files)))
        raise CommandError(f"Cannot read {failed}: {error.strerror or error}.") from error
    except UnicodeDecodeError as error:
        # Importers of several files report which one is not text as a row error; this is
        # for those that do not, and never names a file that may have been read well.
        if len(files) == 1:
            raise CommandError(f"{files[0].name} is not UTF-8 text.") from error
        names = ", ".join(file.name for file in files)
        raise CommandError(f"One of {names} is not UTF-8 text.") from error
    except ImportFailed as failure:
        raise CommandError(str(failure)) from failure
    command.stdout.write(command.style.SUCCESS(str(report)))
