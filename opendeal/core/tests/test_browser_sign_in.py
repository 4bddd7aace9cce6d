"""Signing in through the real pages in a browser, with axe on every page visited."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from opendeal.core.accounts.services import enrol_totp_device
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


def test_administrator_signs_in_with_password_and_code_then_signs_out(page, make_user):
    admin = make_user(Role.ADMINISTRATOR, email="admin@example.org", full_name="Alex Admin")
    device = enrol_totp_device(admin)

    page.goto("/account/sign-in/")
    expect(page.locator("h1")).to_have_text("Sign in", use_inner_text=True)
    assert_accessible(page)

    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    assert (
        "Enter a correct email address and password"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape("/account/two-factor/") + "$"))
    expect(page.locator("h1")).to_have_text(
        "Enter the code from your authenticator app", use_inner_text=True
    )
    assert_accessible(page)

    page.get_by_label("Enter the code from your authenticator app").fill(code_for(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape("/account/") + "$"))
    expect(page.locator("h1")).to_have_text("Your account", use_inner_text=True)
    assert "Administrator" in page.locator(".govuk-summary-list").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="People and their roles").click()
    expect(page.locator("h1")).to_have_text("People and their roles", use_inner_text=True)
    assert_accessible(page)
    page.get_by_role("link", name="Back to your account").click()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape("/") + "$"))
    assert "You have signed out" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    page.goto("/account/")
    assert "/account/sign-in/" in page.url


def test_staff_member_sets_up_an_authenticator_by_typing_the_key(page, make_user):
    make_user(Role.PRACTITIONER, email="new.staff@example.org")
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill("new.staff@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(re.escape("/account/two-factor/setup/") + "$"))
    expect(page.locator("h1")).to_have_text("Set up an authenticator app", use_inner_text=True)
    expect(
        page.get_by_role("img", name="QR code to add this service to your authenticator app")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your app").fill(code_for(key))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(re.escape("/account/two-factor/backup-codes/") + "$"))
    expect(page.locator("h1")).to_have_text("Save your backup codes", use_inner_text=True)
    expect(page.locator(".opendeal-backup-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.locator("h1")).to_have_text("Your account", use_inner_text=True)
    assert_accessible(page)


def test_register_reset_and_lockout_pages_are_accessible(page, make_user):
    page.goto("/account/register/")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Robin Resident")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Create a password").fill("password")
    page.get_by_label("Confirm your password").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_title(re.compile(r"^Error: Create an account"))
    assert_accessible(page)

    page.goto("/account/password/reset/")
    assert_accessible(page)
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email", use_inner_text=True)
    assert_accessible(page)

    make_user(Role.RESIDENT, email="locked@example.org")
    page.goto("/account/sign-in/")
    for attempt in range(5):
        page.get_by_label("Email address").fill("locked@example.org")
        page.get_by_label("Password").fill(f"wrong {attempt}")
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("You cannot sign in at the moment", use_inner_text=True)
    assert_accessible(page)
