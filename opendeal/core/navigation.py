"""The service navigation: one list, so every page shows the same menu."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    is_current: bool


# (label, URL name). The current item is the longest URL that prefixes the request path.
MENU: list[tuple[str, str]] = [
    ("The Deal", "deal:home"),
    ("Scorecard", "deal:scorecard"),
    ("Make a pledge", "deal:pledge"),
]


def navigation(request: HttpRequest) -> dict:
    entries = []
    for label, url_name in MENU:
        try:
            entries.append((label, reverse(url_name)))
        except NoReverseMatch:
            continue
    matching = [url for _, url in entries if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    return {
        "navigation": [NavigationItem(label, url, url == current) for label, url in entries]
    }
