"""`opendeal demo` loads the demo borough with real figures, fictional people, and again changes nothing."""

import http.server
import io
import re
import threading
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command

from opendeal.core.demo import demo_email
from opendeal.core.models import User
from opendeal.core.roles import STAFF_ROLES, Role
from opendeal.deal.models import Commitment, Deal, Measure, Pledge, ProgressUpdate, Reading
from opendeal.events.models import Event, Registration


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_once_and_is_idempotent():
    output = run_demo()
    counts = (
        Deal.objects.count(),
        Commitment.objects.count(),
        Reading.objects.count(),
        ProgressUpdate.objects.count(),
        Pledge.objects.count(),
        User.objects.count(),
        Event.objects.count(),
        Registration.objects.count(),
    )
    assert counts[0] == 1 and counts[1] == 18 and counts[4] > 1000
    assert counts[6:] == (5, 22 + 41 + 40 + 87 + 31)
    assert "Events: 5 events and 221 fictional registrations added this run." in output
    assert "Demo logins (fictional people)" in output
    assert "administrator@demo.opendeal.example" in output
    # Every staff role has a secret; residents and community members sign in with a password.
    assert len(re.findall(r"2FA secret [A-Z2-7]{32}$", output, re.MULTILINE)) == len(STAFF_ROLES)
    # One demo account per role (other apps' demos may add fictional people of their own).
    assert User.objects.filter(email__in=[demo_email(role) for role in Role]).count() == len(Role)

    run_demo()
    assert (
        Deal.objects.count(),
        Commitment.objects.count(),
        Reading.objects.count(),
        ProgressUpdate.objects.count(),
        Pledge.objects.count(),
        User.objects.count(),
        Event.objects.count(),
        Registration.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_demo_figures_are_wigans_published_ones():
    run_demo()
    smoking = Measure.objects.get(reference="HW2.1")
    # Fingertips 92443, Wigan: 22.5% in 2011 (the baseline); later years are readings.
    assert smoking.baseline_value == Decimal("22.5")
    assert smoking.baseline_on.isoformat() == "2011-12-31"
    readings = dict(smoking.readings.values_list("observed_on__year", "value"))
    assert readings[2012] == Decimal("22.7")
    assert readings[2013] == Decimal("20.1")
    assert smoking.commitment.progress is not None


@pytest.mark.django_db
def test_demo_people_are_labelled_fictional():
    run_demo()
    assert not User.objects.filter(is_demo=False).exists()
    assert all("fictional" in name for name in User.objects.values_list("full_name", flat=True))
    assert not Pledge.objects.exclude(email__startswith="fictional-resident-").exists()


class _Fingertips(http.server.BaseHTTPRequestHandler):
    """Serves the real shared Fingertips files as the API would, by indicator id."""

    files: dict[str, Path] = {}

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        path = self.files.get(query.get("indicator_ids", [""])[0])
        if path is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(path.read_bytes())

    def log_message(self, *args):
        pass


@pytest.fixture
def fingertips_server(settings):
    shared = Path(settings.OPENDEAL_DATA_DIR) / "observatory"
    _Fingertips.files = {path.name.split("_")[1]: path for path in shared.glob("fingertips_*.csv")}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fingertips)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()


@pytest.mark.django_db
def test_without_the_data_folder_the_demo_fetches_from_fingertips(
    settings, tmp_path, fingertips_server
):
    settings.OPENDEAL_DATA_DIR = tmp_path / "no-shared-data"
    settings.VAR_DIR = tmp_path / "var"
    settings.OPENDEAL_FINGERTIPS_API_URL = fingertips_server
    log = io.StringIO()
    call_command("demo", stdout=io.StringIO(), stderr=log)
    # The Deal's three files (93721 serves two measures); the observatory's demo fetches more.
    deal_files = ("fingertips_92443", "fingertips_93014", "fingertips_93721")
    fetched = [
        line for line in log.getvalue().splitlines() if "fetching it from OHID Fingertips" in line
    ]
    assert sum(any(name in line for name in deal_files) for line in fetched) == 3
    smoking = Measure.objects.get(reference="HW2.1")
    assert smoking.baseline_value == Decimal("22.5")
    assert dict(smoking.readings.values_list("observed_on__year", "value"))[2013] == Decimal("20.1")


@pytest.mark.django_db
def test_when_fingertips_cannot_be_reached_the_demo_says_so_and_goes_on(settings, tmp_path):
    settings.OPENDEAL_DATA_DIR = tmp_path / "no-shared-data"
    settings.VAR_DIR = tmp_path / "var"
    settings.OPENDEAL_FINGERTIPS_API_URL = "http://127.0.0.1:9/api"  # nothing listens on port 9
    log = io.StringIO()
    call_command("demo", stdout=io.StringIO(), stderr=log)
    assert "Could not fetch observatory/fingertips_92443" in log.getvalue()
    assert "HW2.1 is left without figures." in log.getvalue()
    assert Reading.objects.count() == 0
    assert Commitment.objects.count() == 18
