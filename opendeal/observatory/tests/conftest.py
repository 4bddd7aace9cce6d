"""Fixtures for the observatory's tests: the real shared files, and a local server that
answers as the Fingertips API does."""

import http.server
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings


def shared(relative: str) -> Path:
    return Path(settings.OPENDEAL_DATA_DIR) / relative


SMOKING = "observatory/fingertips_92443_smoking_prevalence_2011_to_2024.csv"
HLE_2024 = "observatory/fingertips_90362_healthy_life_expectancy_2010-12_to_2018-20.csv"
HLE_2025 = "observatory/fingertips_90362_healthy_life_expectancy_2011-13_to_2021-23.csv"


class _Fingertips(http.server.BaseHTTPRequestHandler):
    """Serves the real shared Fingertips files by indicator id, as the API's bulk CSV."""

    files: dict[str, Path] = {}
    requests: list[str] = []

    def do_GET(self):
        self.requests.append(self.path)
        query = parse_qs(urlparse(self.path).query)
        path = self.files.get(query.get("indicator_ids", [""])[0])
        if not urlparse(self.path).path.endswith("/all_data/csv/by_indicator_id") or path is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(path.read_bytes())

    def log_message(self, *args):
        pass


@pytest.fixture
def fingertips_api(settings):
    """The local API's base URL; it serves the newest shared file of each indicator."""
    files = sorted(shared("observatory").glob("fingertips_*.csv"))
    _Fingertips.files = {path.name.split("_")[1]: path for path in files}
    _Fingertips.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fingertips)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.OPENDEAL_FINGERTIPS_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api"
    yield _Fingertips
    server.shutdown()
