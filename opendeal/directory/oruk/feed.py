"""Read another publisher's Open Referral UK API into the directory: all of it or nothing.

Pages through `{base}/services?full=true`, taking each service as a full record; a feed that
lists services without their nested records (many ignore `full`) has each one fetched from
`{base}/services/{id}`. Every page is read before anything is checked or written, so a feed
that fails half way (an HTTP error, a body that is not the standard's page) writes nothing and
the error names the address and what was wrong.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opendeal.core.models import User
from opendeal.directory.oruk.importer import (
    ImportReport,
    OrukImportError,
    PackageReader,
    Problem,
    import_reader,
)

PER_PAGE = 500
TIMEOUT_SECONDS = 60
# Nested lists only a full service has; a list item with none of them is a summary.
FULL_SERVICE_KEYS = (
    "schedules",
    "service_at_locations",
    "contacts",
    "cost_options",
    "languages",
    "funding",
    "service_areas",
    "attributes",
)


class FeedError(Exception):
    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(message)


@dataclass
class FeedReport:
    report: ImportReport
    services: int
    pages: int
    requests: int


Fetch = Callable[[str], Any]


def fetch_json(url: str) -> Any:
    """GET `url` as JSON. Raises FeedError saying what went wrong."""
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "OpenDeal import-oruk"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise FeedError(url, f"answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FeedError(url, f"could not be read ({reason})") from None
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedError(url, f"is not JSON ({error})") from None


def services_url(base_url: str, page: int, per_page: int) -> str:
    query = urllib.parse.urlencode({"full": "true", "page": page, "per_page": per_page})
    return f"{base_url.rstrip('/')}/services?{query}"


def read_feed(
    base_url: str,
    reader: PackageReader,
    *,
    fetch: Fetch = fetch_json,
    per_page: int = PER_PAGE,
    on_page: Callable[[int, int], None] | None = None,
) -> tuple[int, int, int]:
    """Read every page of services into `reader`; (services, pages, requests).
    `on_page(page, total_pages)` is told of each page read."""
    page, total_pages, services, requests = 1, 1, 0, 0
    while page <= total_pages:
        url = services_url(base_url, page, per_page)
        body = fetch(url)
        requests += 1
        if not isinstance(body, dict) or not isinstance(body.get("contents"), list):
            raise FeedError(url, "is not a page of services (an object with a “contents” list)")
        total_pages = body.get("total_pages")
        if not isinstance(total_pages, int) or total_pages < 0:
            raise FeedError(url, "has no whole-number “total_pages”")
        contents = []
        for item in body["contents"]:
            is_summary = isinstance(item, dict) and not any(
                key in item for key in FULL_SERVICE_KEYS
            )
            if is_summary and isinstance(item.get("id"), str):
                item_id = urllib.parse.quote(item["id"], safe="")
                item = fetch(f"{base_url.rstrip('/')}/services/{item_id}")
                requests += 1
            contents.append(item)
        reader.read_json({"contents": contents}, url)
        services += len(contents)
        if on_page is not None:
            on_page(page, total_pages)
        if not contents or body.get("last_page") is True:
            break
        page += 1
    return services, page, requests


def import_feed(
    base_url: str,
    actor: User | None = None,
    *,
    fetch: Fetch = fetch_json,
    per_page: int = PER_PAGE,
    on_page: Callable[[int, int], None] | None = None,
) -> FeedReport:
    """Import every service an Open Referral UK API publishes. Raises OrukImportError."""
    reader = PackageReader()
    try:
        services, pages, requests = read_feed(
            base_url, reader, fetch=fetch, per_page=per_page, on_page=on_page
        )
    except FeedError as error:
        raise OrukImportError([Problem(error.url, None, str(error))]) from None
    report = import_reader(reader, base_url, actor)
    return FeedReport(report=report, services=services, pages=pages, requests=requests)


def is_url(source: str) -> bool:
    return urllib.parse.urlsplit(source).scheme in ("http", "https")
