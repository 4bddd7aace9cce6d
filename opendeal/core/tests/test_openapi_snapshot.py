"""The public API's contract changes only on purpose: the OpenAPI document is committed and
compared with the one the code generates."""

import json
from pathlib import Path

from django.conf import settings

from opendeal.api import api

SNAPSHOT = Path(settings.PACKAGE_DIR) / "api_snapshot" / "openapi.json"

REGENERATE = (
    '.venv/bin/opendeal shell -c "import json; from opendeal.api import api; '
    "open('opendeal/api_snapshot/openapi.json', 'w').write("
    "json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + '\\n')\""
)


def generated_document() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n"


def test_the_committed_openapi_document_matches_the_code():
    assert SNAPSHOT.read_text(encoding="utf-8") == generated_document(), (
        "The API's OpenAPI document has changed. If the change is on purpose, regenerate the "
        f"committed copy from /work/main (or your checkout) with:\n  {REGENERATE}\n"
        "and review the diff of opendeal/api_snapshot/openapi.json."
    )


def test_the_served_document_is_the_committed_one(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.json() == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
