"""Run axe-core in a Playwright page and fail on any WCAG 2.2 A or AA violation."""

from functools import cache
from pathlib import Path

from django.conf import settings

WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_source() -> str:
    path = Path(settings.PROJECT_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now. Injected by evaluate, which the page's
    Content Security Policy does not apply to, so the policy stays on during the test.
    A page still loading is checked once it has loaded; after a click, see `follow`."""
    page.wait_for_load_state("load")
    page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA_TAGS
    )
    return result["violations"]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    described = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in violations
    ]
    assert not violations, f"axe found WCAG 2.2 AA violations on {page.url}:\n" + "\n".join(
        described
    )
