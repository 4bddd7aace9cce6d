"""Staff sign in with a password and a code from an authenticator app (or a backup code)."""

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendeal.core.accounts.services import enrol_totp_device, totp_secret_base32
from opendeal.core.accounts.two_factor import create_backup_codes
from opendeal.core.models import AuditEvent, User
from opendeal.core.roles import Role

PASSWORD = "correct horse battery"
KNOWN_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


def code_now(device: TOTPDevice) -> str:
    """What the person's authenticator app shows at this moment."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def password_sign_in(client: Client, user: User, query: str = ""):
    return client.post("/account/sign-in/" + query, {"username": user.email, "password": PASSWORD})


def is_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def let_throttle_pass(device) -> None:
    """Move the last failure into the past, as if the person had waited before trying again."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )


@pytest.fixture
def staff_with_device(make_user):
    user = make_user(Role.ADMINISTRATOR)
    return user, enrol_totp_device(user)


# Who needs a second factor


def test_staff_roles_need_two_factor_and_residents_do_not(make_user):
    assert make_user(Role.PRACTITIONER).needs_two_factor
    assert make_user(Role.ADMINISTRATOR).needs_two_factor
    assert not make_user(Role.RESIDENT).needs_two_factor
    assert not make_user(Role.COMMUNITY_MEMBER).needs_two_factor


def test_residents_are_not_asked_for_a_code(client, resident):
    response = password_sign_in(client, resident)
    assert response["Location"] == "/account/"
    assert client.get("/account/two-factor/")["Location"] == "/account/"


# Setting up an authenticator


def test_staff_without_a_device_set_one_up_then_see_backup_codes_once(client, practitioner):
    response = password_sign_in(client, practitioner, "?next=/account/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/setup/?next=%2Faccount%2F"
    # Signed in with a password, but not yet past the second factor.
    assert client.session[SESSION_KEY] == str(practitioner.pk)
    assert client.get("/account/")["Location"].startswith("/account/two-factor/")

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    pending = TOTPDevice.objects.get(user=practitioner)
    assert not pending.confirmed
    assert re.search(r'<svg role="img" focusable="false" width="\d+" height="\d+"', html)
    assert "<title>QR code to add this service to your authenticator app</title>" in html
    assert "data:" not in html and "style=" not in html
    secret = totp_secret_base32(pending)
    grouped = " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))
    assert grouped in html
    # Reloading shows the same secret, so a scanned code keeps working.
    assert grouped in client.get(response["Location"]).content.decode()
    assert TOTPDevice.objects.filter(user=practitioner).count() == 1

    wrong = client.post(
        response["Location"], {"code": "000000" if code_now(pending) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "The code is not correct" in wrong.content.decode()
    assert 'class="govuk-error-summary"' in wrong.content.decode()
    let_throttle_pass(pending)

    confirmed = client.post(response["Location"], {"code": code_now(pending)})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/account/two-factor/backup-codes/?next=%2Faccount%2F"
    pending.refresh_from_db()
    assert pending.confirmed
    assert is_verified(client)

    codes_page = client.get(confirmed["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{4}) ([a-z2-7]{4})</code></li>", codes_page)
    assert len(codes) == 10
    stored = set(
        StaticToken.objects.filter(device__user=practitioner).values_list("token", flat=True)
    )
    assert stored == {first + second for first, second in codes}
    assert 'href="/account/">I have saved my codes</a>' in codes_page
    # Shown once only.
    assert client.get(confirmed["Location"])["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert list(
        AuditEvent.objects.filter(actor=practitioner)
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["account.two_factor_enrolled", "account.backup_codes_created"]


def test_a_password_alone_cannot_add_a_second_authenticator(client, staff_with_device):
    user, device = staff_with_device
    password_sign_in(client, user)
    response = client.get("/account/two-factor/setup/")
    assert response["Location"] == "/account/two-factor/"
    assert client.post("/account/two-factor/setup/", {"code": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


# Signing in with an authenticator


def test_staff_with_a_device_are_asked_for_the_code(client, staff_with_device):
    user, device = staff_with_device
    response = password_sign_in(client, user, "?next=/account/people/")
    assert response["Location"] == "/account/two-factor/?next=%2Faccount%2Fpeople%2F"

    wrong = client.post(
        response["Location"], {"code": "12 34 56" if code_now(device) != "123456" else "654321"}
    )
    assert wrong.status_code == 200
    html = wrong.content.decode()
    assert "<title>Error: Enter the code from your authenticator app" in html
    assert '<a href="#id_code">The code is not correct. Check your app and try again</a>' in html
    assert not is_verified(client)

    # Straight after a wrong code, even the right one waits (django-otp's throttling).
    throttled = client.post(response["Location"], {"code": code_now(device)})
    assert "You entered a wrong code too many times" in throttled.content.decode()
    assert not is_verified(client)

    let_throttle_pass(device)
    right = client.post(response["Location"], {"code": code_now(device)})
    assert right.status_code == 302
    assert right["Location"] == "/account/people/"
    assert is_verified(client)
    assert client.get("/account/people/").status_code == 200


def test_the_same_code_cannot_be_used_twice(staff_with_device):
    user, device = staff_with_device
    code = code_now(device)
    first = Client()
    password_sign_in(first, user)
    assert first.post("/account/two-factor/", {"code": code}).status_code == 302
    second = Client()
    password_sign_in(second, user)
    replay = second.post("/account/two-factor/", {"code": code})
    assert replay.status_code == 200
    assert not is_verified(second)


def test_a_new_password_sign_in_asks_for_the_code_again(sign_in, administrator):
    client = sign_in(administrator)
    assert is_verified(client)
    password_sign_in(client, administrator)
    assert not is_verified(client)


def test_backup_code_works_once(staff_with_device):
    user, _ = staff_with_device
    codes = create_backup_codes(user)
    assert len(codes) == 10 and len(set(codes)) == 10

    client = Client()
    password_sign_in(client, user)
    used = client.post("/account/two-factor/", {"code": codes[0][:4] + " " + codes[0][4:].upper()})
    assert used.status_code == 302
    assert is_verified(client)
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert AuditEvent.objects.filter(action="account.backup_code_used", actor=user).count() == 1

    again = Client()
    password_sign_in(again, user)
    refused = again.post("/account/two-factor/", {"code": codes[0]})
    assert refused.status_code == 200
    assert "The code is not correct" in refused.content.decode()
    assert not is_verified(again)
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_new_backup_codes_replace_the_old_ones(sign_in, administrator):
    client = sign_in(administrator)
    old = create_backup_codes(administrator)
    response = client.post("/account/two-factor/backup-codes/")
    assert response["Location"] == "/account/two-factor/backup-codes/"
    html = client.get(response["Location"]).content.decode()
    new = {a + b for a, b in re.findall(r"<li><code>([a-z2-7]{4}) ([a-z2-7]{4})</code></li>", html)}
    assert len(new) == 10
    stored = set(
        StaticToken.objects.filter(device__user=administrator).values_list("token", flat=True)
    )
    assert stored == new
    assert not stored & set(old)


# Staff who have not given their second factor


def test_unverified_staff_are_redirected_from_staff_pages(client, staff_with_device):
    user, _ = staff_with_device
    password_sign_in(client, user)
    # StaffTwoFactorMiddleware sends them to give their code, then back where they were going.
    assert client.get("/")["Location"] == "/account/two-factor/?next=%2F"
    for path in ("/account/", "/account/people/", "/account/password/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/account/two-factor/?next=" + path.replace("/", "%2F")


def test_anonymous_callers_of_two_factor_pages_are_sent_to_sign_in(client, db):
    for path in ("/account/two-factor/", "/account/two-factor/setup/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/?next=")


def test_staff_sessions_time_out_when_idle(sign_in, administrator):
    client = sign_in(administrator)
    assert client.get("/account/").status_code == 200
    session = client.session
    session["staff_last_seen"] = int(time.time()) - settings.STAFF_SESSION_IDLE_SECONDS - 1
    session.save()
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?timed_out=1"
    assert SESSION_KEY not in client.session
    assert client.get("/account/")["Location"] == "/account/sign-in/?next=/account/"


def test_a_resident_given_a_staff_role_must_set_up_two_factor(sign_in, resident):
    client = sign_in(resident)
    assert client.get("/account/").status_code == 200
    resident.groups.add(Group.objects.get(name=Role.PRACTITIONER.label))
    assert client.get("/account/")["Location"].startswith("/account/two-factor/")
    assert client.get("/account/two-factor/")["Location"] == "/account/two-factor/setup/"


# Services for the demo


def test_enrol_totp_device_with_a_known_key_is_idempotent(make_user):
    user = make_user(Role.ADMINISTRATOR)
    device = enrol_totp_device(user, KNOWN_KEY)
    assert device.confirmed
    assert totp_secret_base32(device) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert enrol_totp_device(user, KNOWN_KEY).pk == device.pk
    replaced = enrol_totp_device(user)
    assert TOTPDevice.objects.filter(user=user).get() == replaced
    assert replaced.key != KNOWN_KEY
    with pytest.raises(ValueError, match="hex-encoded"):
        enrol_totp_device(user, "not hex at all")


def test_totp_command_prints_the_current_code_for_demo_accounts_only(make_user):
    demo = make_user(Role.ADMINISTRATOR, email="demo.admin@example.org")
    User.objects.filter(pk=demo.pk).update(is_demo=True)
    device = enrol_totp_device(demo, KNOWN_KEY)
    output = StringIO()
    call_command("totp", "Demo.Admin@example.org", stdout=output)
    assert output.getvalue().strip() == code_now(device)

    real = make_user(Role.ADMINISTRATOR, email="real.admin@example.org")
    enrol_totp_device(real)
    with pytest.raises(CommandError, match="is not a demo account"):
        call_command("totp", real.email, stdout=StringIO())
    with pytest.raises(CommandError, match="no account"):
        call_command("totp", "nobody@example.org", stdout=StringIO())
    no_device = make_user(Role.ADMINISTRATOR)
    User.objects.filter(pk=no_device.pk).update(is_demo=True)
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("totp", no_device.email, stdout=StringIO())
