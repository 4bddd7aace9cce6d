"""Where the tests find the Open Referral UK standard: the shared copy beside the checkout."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ORUK_DIR = Path(settings.PROJECT_DIR).parent / "shared" / "standards" / "oruk"
EXAMPLES_DIR = ORUK_DIR / "examples"
CSV_EXAMPLE_DIR = EXAMPLES_DIR / "csv"
SCHEMA_DIR = ORUK_DIR / "schema"


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
