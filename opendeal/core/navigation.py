"""The service navigation: one list, so every page shows the same menu."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    is_current: bool


# (label, URL name, permissions of which the user needs any; none for everyone). The current
# item is the longest URL that prefixes the request path.
MENU: list[tuple[str, str, tuple[str, ...]]] = [
    ("Commitments", "deal:home", ()),
    ("Scorecard", "deal:scorecard", ()),
    ("Make a pledge", "deal:pledge", ()),
    ("Events", "events:list", ()),
    ("Manage the Deal", "deal:manage", ("deal.edit_deal", "deal.record_progress")),
    ("Manage events", "events:manage", ("events.manage_events",)),
]


def navigation(request: HttpRequest) -> dict:
    entries = []
    user = getattr(request, "user", None)
    for label, url_name, permissions in MENU:
        if permissions and not (
            user is not None and any(user.has_perm(permission) for permission in permissions)
        ):
            continue
        try:
            entries.append((label, reverse(url_name)))
        except NoReverseMatch:
            continue
    matching = [url for _, url in entries if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    return {"navigation": [NavigationItem(label, url, url == current) for label, url in entries]}
