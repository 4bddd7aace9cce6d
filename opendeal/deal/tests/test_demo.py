"""`opendeal demo` loads the demo borough with real figures, fictional people, and again changes nothing."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from opendeal.core.models import User
from opendeal.deal.models import Commitment, Deal, Measure, Pledge, ProgressUpdate, Reading


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
    )
    assert counts[0] == 1 and counts[1] == 18 and counts[4] > 1000 and counts[5] == 8
    assert "Demo logins (fictional people)" in output
    assert "administrator@demo.opendeal.example" in output
    # Every staff role has a secret; residents and community members sign in with a password.
    assert len(re.findall(r"2FA secret [A-Z2-7]{32}$", output, re.MULTILINE)) == 6

    run_demo()
    assert (
        Deal.objects.count(),
        Commitment.objects.count(),
        Reading.objects.count(),
        ProgressUpdate.objects.count(),
        Pledge.objects.count(),
        User.objects.count(),
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
