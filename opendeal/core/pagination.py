"""GOV.UK pagination links, for every paged list (template `govuk/pagination.html`)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    """One item of GOV.UK pagination: a page number, or a gap (number None)."""

    number: int | None
    url: str = ""
    is_current: bool = False


def pagination(current: int, total_pages: int, page_url: Callable[[int], str]) -> dict:
    """Links for GOV.UK pagination: first, last, and the pages either side of this one.
    `page_url(number)` gives each page's address (keeping the list's own filters)."""
    wanted = sorted(
        {1, total_pages, current - 1, current, current + 1} & set(range(1, total_pages + 1))
    )
    links: list[PageLink] = []
    for number in wanted:
        if links and links[-1].number is not None and number - links[-1].number > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, page_url(number), number == current))
    return {
        "links": links if total_pages > 1 else [],
        "previous_url": page_url(current - 1) if current > 1 else "",
        "next_url": page_url(current + 1) if current < total_pages else "",
    }
