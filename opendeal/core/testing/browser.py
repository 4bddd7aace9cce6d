"""What the browser tests share: opening a page and checking it with axe, and handing a test
client's session to the browser."""

from django.test import Client

from .axe import assert_accessible


def visit(page, path: str) -> None:
    """Open the page and fail on any WCAG 2.2 AA violation axe finds on it."""
    page.goto(path)
    assert_accessible(page)


def signed_in(page, live_server, client: Client) -> None:
    """The browser takes over the signed-in session of a test client (see `sign_in`), so a test
    need not walk the sign-in pages, which their own browser tests cover."""
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
