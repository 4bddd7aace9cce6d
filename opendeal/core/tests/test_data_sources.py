"""The demo's public data comes from the shared folder, or from its publisher over HTTP."""

import http.server
import io
import re
import threading

import pytest

from opendeal.core.data_sources import DataUnavailable, PublicDataset, locate

CSV_BODY = b"Area Code,Sex,Category Type,Time period,Value\nE08000010,Persons,,2011,22.5\n"


class _Publisher(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        if self.path.startswith("/api/all_data/csv"):
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(CSV_BODY)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def publisher():
    _Publisher.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Publisher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_shared_copy_is_used_when_present(settings, tmp_path):
    settings.OPENDEAL_DATA_DIR = tmp_path / "shared"
    (tmp_path / "shared" / "observatory").mkdir(parents=True)
    (tmp_path / "shared" / "observatory" / "x.csv").write_bytes(CSV_BODY)
    settings.OPENDEAL_FINGERTIPS_API_URL = "http://127.0.0.1:9"
    dataset = PublicDataset("observatory/x.csv", "Nobody", "OPENDEAL_FINGERTIPS_API_URL", "/never")
    assert locate(dataset) == tmp_path / "shared" / "observatory" / "x.csv"


def test_fetches_from_the_publisher_once_and_says_so(settings, tmp_path, publisher):
    settings.OPENDEAL_DATA_DIR = tmp_path / "absent"
    settings.VAR_DIR = tmp_path / "var"
    settings.OPENDEAL_FINGERTIPS_API_URL = f"{publisher}/api"
    dataset = PublicDataset(
        "observatory/x.csv",
        "OHID Fingertips",
        "OPENDEAL_FINGERTIPS_API_URL",
        "/all_data/csv/by_indicator_id?x=1",
    )
    log = io.StringIO()
    path = locate(dataset, log=log)
    assert path == tmp_path / "var" / "public-data" / "observatory" / "x.csv"
    assert path.read_bytes() == CSV_BODY
    assert "fetching it from OHID Fingertips" in log.getvalue()
    assert locate(dataset, log=log) == path
    assert _Publisher.requests == ["/api/all_data/csv/by_indicator_id?x=1"]


def test_a_failed_fetch_leaves_nothing_behind(settings, tmp_path, publisher):
    settings.OPENDEAL_DATA_DIR = tmp_path / "absent"
    settings.VAR_DIR = tmp_path / "var"
    settings.OPENDEAL_FINGERTIPS_API_URL = publisher
    dataset = PublicDataset(
        "observatory/y.csv", "OHID Fingertips", "OPENDEAL_FINGERTIPS_API_URL", "/missing"
    )
    with pytest.raises(
        DataUnavailable, match=re.escape("Could not fetch observatory/y.csv from OHID Fingertips")
    ):
        locate(dataset, log=io.StringIO())
    assert list((tmp_path / "var" / "public-data" / "observatory").iterdir()) == []
