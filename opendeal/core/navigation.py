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
    ("Find support", "directory:search", ()),
    ("Funding", "fund:funds", ()),
    ("Grants awarded", "fund:awarded-grants", ()),
    ("Outcomes", "observatory:index", ()),
    ("Manage the Deal", "deal:manage", ("deal.edit_deal", "deal.record_progress")),
    ("Manage events", "events:manage", ("events.manage_events",)),
    ("Manage funds", "fund:manage", ("fund.manage_funds",)),
    (
        "Assess applications",
        "fund:assess",
        ("fund.score_applications", "fund.check_eligibility", "fund.decide_applications"),
    ),
    ("Grants", "fund:grant-list", ("fund.manage_grants", "fund.record_payments")),
    ("Your grants", "fund:my-grants", ("fund.apply_to_fund",)),
    ("People we support", "care:caseload", ("care.work_with_people",)),
    ("Care extract", "care:extract", ("care.download_extract",)),
    ("Care demand", "care:demand", ("care.view_demand",)),
    ("Gap map", "care:gaps", ("fund.manage_funds",)),
    ("Your listings", "directory:listings", ("directory.propose_listing_changes",)),
    ("Listing changes", "directory:moderation-queue", ("directory.moderate_listings",)),
    (
        "Listing reports",
        "directory:problem-reports",
        ("directory.review_problem_reports",),
    ),
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
