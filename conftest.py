"""Fixtures shared by every app's tests: people in each role, signed in as they would be."""

import itertools
import os
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendeal.core.models import User
from opendeal.core.roles import Role

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate limits are counted there)."""
    cache.clear()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """A user holding the given roles, e.g. make_user(Role.ADMINISTRATOR)."""

    def make(*roles: Role, email: str | None = None, full_name: str = "Test Person") -> User:
        user = User.objects.create_user(
            email or f"person{next(_numbers)}@example.org",
            "correct horse battery",
            full_name=full_name,
        )
        for role in roles:
            user.groups.add(Group.objects.get(name=role.label))
        return user

    return make


@pytest.fixture
def sign_in() -> Callable[[User], Client]:
    """A test client signed in as the user; staff have also passed two-factor sign-in."""

    def client_for(user: User) -> Client:
        client = Client()
        client.force_login(user)
        if user.needs_two_factor:
            device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return client_for


@pytest.fixture
def resident(make_user) -> User:
    return make_user(Role.RESIDENT)


@pytest.fixture
def administrator(make_user) -> User:
    return make_user(Role.ADMINISTRATOR, full_name="Alex Admin")


@pytest.fixture
def practitioner(make_user) -> User:
    """Staff without Deal permissions."""
    return make_user(Role.PRACTITIONER)


# Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against
# pytest-django's live server. Playwright's sync API runs an event loop in this thread, so
# Django's guard against ORM calls from async code must be told this is deliberate.
CHROMIUM = os.environ.get("OPENDEAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # A submitted form navigates after click() returns, so tests assert with expect(), which
    # waits for the new page; a CI machine running the suite in parallel can be slow to serve it.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()
