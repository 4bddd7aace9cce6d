"""What the browser tests share: opening a page and checking it with axe, and handing a test
client's session to the browser."""

from django.test import Client
from playwright.sync_api import Locator

from .axe import assert_accessible


def visit(page, path: str) -> None:
    """Open the page and fail on any WCAG 2.2 AA violation axe finds on it."""
    page.goto(path)
    assert_accessible(page)


def follow(locator: Locator) -> None:
    """Click a link or button that loads a page, and return once that page has loaded.

    `click()` returns as soon as the click is made. A check that reads the page straight after
    (axe, or an assert on its text) may then read the old page, or find no document at all while
    the new one arrives. Playwright's `expect` waits by itself; every other read needs this."""
    with locator.page.expect_event("load"):
        locator.click()


def signed_in(page, live_server, client: Client) -> None:
    """The browser takes over the signed-in session of a test client (see `sign_in`), so a test
    need not walk the sign-in pages, which their own browser tests cover."""
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
