"""Where the tests find the Open Referral UK standard: the shared copy beside the checkout."""

import atexit
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ORUK_DIR = Path(settings.PROJECT_DIR).parent / "shared" / "standards" / "oruk"
# The standard's examples as published. Their one location is at latitude 100, longitude 101:
# placeholders outside WGS84's bounds, which the importer refuses (test_oruk_import.py).
STANDARD_EXAMPLES_DIR = ORUK_DIR / "examples"
SCHEMA_DIR = ORUK_DIR / "schema"
# Where the examples' placeholder location is moved to: Wigan town centre.
EXAMPLE_LATITUDE, EXAMPLE_LONGITUDE = "53.545", "-2.6325"


def _located_examples() -> Path:
    """A copy of the standard's examples, alike in every way but the location's coordinates."""
    folder = Path(tempfile.mkdtemp(prefix="oruk-examples-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    shutil.copytree(STANDARD_EXAMPLES_DIR, folder, dirs_exist_ok=True)
    for path in [*folder.glob("*.json"), folder / "csv" / "locations.csv"]:
        path.chmod(0o644)
        text = path.read_text(encoding="utf-8")
        text = text.replace('"latitude": 100,', f'"latitude": {EXAMPLE_LATITUDE},')
        text = text.replace('"longitude": 101,', f'"longitude": {EXAMPLE_LONGITUDE},')
        text = text.replace(",100,101,", f",{EXAMPLE_LATITUDE},{EXAMPLE_LONGITUDE},")
        path.write_text(text, encoding="utf-8")
    return folder


EXAMPLES_DIR = _located_examples()
CSV_EXAMPLE_DIR = EXAMPLES_DIR / "csv"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def schema_registry() -> Registry:
    """Every schema file under its own file name, so relative `$ref`s resolve offline."""
    resources = []
    for path in [*SCHEMA_DIR.glob("*.json"), *SCHEMA_DIR.glob("compiled/*.json")]:
        name = path.relative_to(SCHEMA_DIR).as_posix()
        resources.append(
            (name, Resource.from_contents(load_json(path), default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)
