"""`import-oruk` from another publisher's API: paging, summaries fetched in full, all or nothing.

A local HTTP server stands in for the publisher, answering with the standard's own examples;
one test reads our own /oruk/ API from the live server."""

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from opendeal.directory import models as directory
from opendeal.directory.oruk.feed import import_feed
from opendeal.directory.oruk.importer import OrukImportError
from opendeal.directory.tests.listings import STANDISH, make_service
from opendeal.directory.tests.oruk_files import EXAMPLES_DIR, load_json

EXAMPLE_ID = "ac148810-d857-441c-9679-408f346de14b"
SECOND_ID = "5b0cbd1e-8d3e-4a8a-9d2e-3f1c8f0d2a11"


class Publisher:
    """A local HTTP server answering paths (with their query) from `routes`: path -> (status,
    body). Records each path asked for."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes]] = {}
        self.requested: list[str] = []
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                publisher.requested.append(self.path)
                status, body = publisher.routes.get(self.path, (404, b'{"title": "Not found"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_port}/api/"

    def serve(self, path: str, body, status: int = 200) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.routes[path] = (status, raw)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def publisher():
    server = Publisher()
    yield server
    server.close()


def page(contents: list, number: int, total_pages: int) -> dict:
    return {
        "total_items": len(contents) * total_pages,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number == total_pages,
        "empty": not contents,
        "contents": contents,
    }


def pages_path(number: int, per_page: int = 500) -> str:
    return f"/api/services?full=true&page={number}&per_page={per_page}"


def second_service() -> dict:
    """A full service of its own, sharing the example's organization."""
    service = copy.deepcopy(load_json(EXAMPLES_DIR / "service_full.json"))
    service.update(id=SECOND_ID, name="Walking group")
    for key in ("schedules", "service_areas", "languages", "funding", "cost_options", "contacts"):
        service[key] = []
    service["service_at_locations"] = []
    service["attributes"] = []
    return service


@pytest.fixture
def two_page_feed(publisher):
    """Page 1: a full service. Page 2: the standard's list example, a summary only, whose full
    record is at /services/{id}."""
    publisher.serve(pages_path(1), page([second_service()], 1, 2))
    summary = load_json(EXAMPLES_DIR / "service_list.json")["contents"]
    publisher.serve(pages_path(2), page(summary, 2, 2))
    publisher.serve(f"/api/services/{EXAMPLE_ID}", load_json(EXAMPLES_DIR / "service_full.json"))
    return publisher


@pytest.mark.django_db
def test_every_page_is_read_and_summaries_are_fetched_in_full(two_page_feed):
    fed = import_feed(two_page_feed.base_url)

    assert (fed.services, fed.pages, fed.requests) == (2, 2, 3)
    assert two_page_feed.requested == [
        pages_path(1),
        pages_path(2),
        f"/api/services/{EXAMPLE_ID}",
    ]
    assert sorted(directory.Service.objects.values_list("name", flat=True)) == [
        "Community Counselling",
        "Walking group",
    ]
    # The summary's nested records came from the full record.
    assert directory.Schedule.objects.get().service_id.hex == EXAMPLE_ID.replace("-", "")
    assert fed.report.counts["service"] == {"created": 2, "updated": 0}
    assert fed.report.counts["organization"] == {"created": 1, "updated": 0}


@pytest.mark.django_db
def test_importing_the_feed_again_updates_and_creates_nothing(two_page_feed):
    import_feed(two_page_feed.base_url)

    again = import_feed(two_page_feed.base_url)

    assert again.report.counts["service"] == {"created": 0, "updated": 2}
    assert directory.Service.objects.count() == 2


@pytest.mark.django_db
def test_a_failing_page_writes_nothing_and_names_the_address(two_page_feed):
    two_page_feed.serve(pages_path(2), {"title": "Server error"}, status=500)

    with pytest.raises(OrukImportError) as refused:
        import_feed(two_page_feed.base_url)

    assert str(refused.value.problems[0]) == (
        f"{two_page_feed.base_url.rstrip('/')}/services?full=true&page=2&per_page=500: "
        "answered HTTP 500 Internal Server Error"
    )
    assert directory.Service.objects.count() == 0


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>Not JSON</html>", "is not JSON"),
        (json.dumps([1, 2]).encode(), "is not a page of services"),
        (json.dumps({"contents": []}).encode(), "has no whole-number “total_pages”"),
    ],
)
@pytest.mark.django_db
def test_a_page_that_is_not_the_standards_is_refused(publisher, body, message):
    publisher.serve(pages_path(1), body)

    with pytest.raises(OrukImportError, match=message):
        import_feed(publisher.base_url)

    assert directory.Service.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_record_names_the_page_and_field_and_writes_nothing(two_page_feed):
    broken = second_service() | {"status": "open"}
    two_page_feed.serve(pages_path(1), page([broken], 1, 2))

    with pytest.raises(OrukImportError) as refused:
        import_feed(two_page_feed.base_url)

    assert [str(problem) for problem in refused.value.problems] == [
        f"{two_page_feed.base_url.rstrip('/')}/services?full=true&page=1&per_page=500: "
        "contents[0], field “status”: Value 'open' is not a valid choice."
    ]
    assert directory.Service.objects.count() == 0
    assert directory.Organization.objects.count() == 0


@pytest.mark.django_db
def test_an_unreachable_feed_is_refused():
    with pytest.raises(OrukImportError, match="could not be read"):
        import_feed("http://127.0.0.1:9/oruk/")


@pytest.mark.django_db
def test_the_command_reads_an_api_and_reports(two_page_feed):
    out, err = StringIO(), StringIO()

    call_command("import_oruk", two_page_feed.base_url, stdout=out, stderr=err)

    assert "Read 2 services from 2 pages (3 requests)." in out.getvalue()
    assert "service: 2 created, 0 updated" in out.getvalue()
    assert f"Imported {two_page_feed.base_url}." in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_broken_api(publisher):
    publisher.serve(pages_path(1), b"nonsense")

    with pytest.raises(CommandError, match=re.escape("page=1&per_page=500: is not JSON")):
        call_command("import_oruk", publisher.base_url, stdout=StringIO(), stderr=StringIO())


def test_our_own_api_reads_back_through_the_importer(live_server, transactional_db):
    for index in range(5):
        make_service(f"Service {index}", "A listing", at=STANDISH)

    fed = import_feed(f"{live_server.url}/oruk/", per_page=2)

    assert (fed.services, fed.pages, fed.requests) == (5, 3, 3)
    assert fed.report.counts["service"] == {"created": 0, "updated": 5}
    assert fed.report.counts["location"] == {"created": 0, "updated": 5}
    assert directory.Service.objects.count() == 5
