"""Security headers, CSRF, production settings and the health check."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

OPENDEAL = Path(sys.executable).parent / "opendeal"
PAGES = ["/account/sign-in/", "/account/register/", "/account/password/reset/", "/cookies"]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_content_security_policy_has_a_nonce_and_no_unsafe_inline(client, path):
    response = client.get(path)
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = csp_directives(header)
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    nonces = [value for value in directives["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    assert len(nonce) >= 16
    # The one inline script, in base.html, carries the same nonce; no other inline script.
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts == [f' nonce="{nonce}"']
    assert " style=" not in html


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce(client):
    first = client.get("/account/sign-in/")["Content-Security-Policy"]
    second = client.get("/account/sign-in/")["Content-Security-Policy"]
    assert first != second


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_framing_sniffing_and_referrer_headers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_sign_in_refuses_a_post_without_a_csrf_token(resident):
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": resident.email, "password": "correct horse battery"}
    refused = client.post("/account/sign-in/", credentials)
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session

    page = client.get("/account/sign-in/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = client.post("/account/sign-in/", {**credentials, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_sign_out_refuses_a_post_without_a_csrf_token(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post("/account/sign-out/").status_code == 403
    assert client.session["_auth_user_id"] == str(resident.pk)


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only_and_same_site(client, resident):
    client.post(
        "/account/sign-in/", {"username": resident.email, "password": "correct horse battery"}
    )
    session_cookie = client.cookies["sessionid"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_healthz_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


# Production settings, each in a fresh process as a deployment would start them.


def production_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A clean environment, as a deployment would give: nothing inherited from the test run
    (which sets e.g. DJANGO_ALLOW_ASYNC_UNSAFE for Playwright) beyond the basics."""
    environment = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="opendeal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        OPENDEAL_PSEUDONYMISATION_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="deal.example.gov.uk",
        OPENDEAL_VAR_DIR=str(tmp_path),
        **overrides,
    )
    return environment


def run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        arguments, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("key", ["", "too-short", "same-as-the-secret-key"])
def test_production_refuses_to_start_without_its_own_pseudonymisation_key(tmp_path, key):
    environment = production_environment(tmp_path)
    environment["OPENDEAL_PSEUDONYMISATION_KEY"] = (
        environment["SECRET_KEY"] if key == "same-as-the-secret-key" else key
    )
    result = run([str(OPENDEAL), "check"], environment)
    assert result.returncode != 0
    assert "Set OPENDEAL_PSEUDONYMISATION_KEY" in result.stderr


def test_deploy_checks_pass_with_production_settings(tmp_path):
    assert OPENDEAL.exists(), f"the console command should be installed at {OPENDEAL}"
    result = run(
        [str(OPENDEAL), "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_hsts_secure_cookies_and_https(tmp_path):
    script = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({name: getattr(settings, name) for name in ["
        "'DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'ALLOWED_HOSTS']}))"
    )
    result = run([sys.executable, "-c", script], production_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ALLOWED_HOSTS"] == ["deal.example.gov.uk"]


@pytest.mark.parametrize("secret_key", [None, "", "too-short-to-be-a-secret"])
def test_production_settings_refuse_to_start_without_a_proper_secret_key(tmp_path, secret_key):
    environment = production_environment(tmp_path)
    del environment["SECRET_KEY"]
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key
    result = run([str(OPENDEAL), "check"], environment)
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random value of at least 50 characters." in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/observatory/series?indicator=%00", "/directory/?q=food%00", "/events/%00/"]
)
def test_a_nul_character_is_refused_with_a_400_on_every_database(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL character" in response.content
