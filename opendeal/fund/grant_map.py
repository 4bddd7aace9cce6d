"""A map of the borough's wards shaded by the money awarded in each, drawn on the server as
SVG: no JavaScript, no map tiles from elsewhere, and a table of the same figures beside it.

Like `opendeal.deal.charts`, it is role="img" with its own <title> and <desc>, and styled only
by classes (`.opendeal-map__*` in `opendeal/core/sass/opendeal.scss`).
"""

import math
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from opendeal.fund import neighbourhoods
from opendeal.fund.awarded import Total

WIDTH = 640
MARGIN = 8
# Shades from none to most money: a ward with no grants is shade 0.
SHADES = 5


def _projector(outlines: Sequence[neighbourhoods.Rings]):
    """Equirectangular projection scaled to WIDTH, with longitude squeezed by the cosine of the
    middle latitude so the borough keeps its shape. Returns (project, height)."""
    points = [point for rings in outlines for ring in rings for point in ring]
    west = min(x for x, _ in points)
    east = max(x for x, _ in points)
    south = min(y for _, y in points)
    north = max(y for _, y in points)
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * squeeze)
    height = round((north - south) * scale + 2 * MARGIN)

    def project(longitude: float, latitude: float) -> tuple[float, float]:
        return (
            round(MARGIN + (longitude - west) * squeeze * scale, 1),
            round(MARGIN + (north - latitude) * scale, 1),
        )

    return project, height


def _path(rings: neighbourhoods.Rings, project) -> str:
    parts = []
    for ring in rings:
        drawn: list[tuple[float, float]] = []
        for longitude, latitude in ring:
            point = project(longitude, latitude)
            if not drawn or point != drawn[-1]:
                drawn.append(point)
        parts.append("M" + " L".join(f"{x:g} {y:g}" for x, y in drawn) + " Z")
    return " ".join(parts)


def shade(amount: float, largest: float) -> int:
    """0 for nothing awarded, then 1 (least) to SHADES - 1 (most) in equal steps."""
    if amount <= 0 or largest <= 0:
        return 0
    return min(SHADES - 1, 1 + int((SHADES - 1) * amount / largest * 0.9999))


def ward_map(totals: Sequence[Total], *, map_id: str) -> SafeString:
    """The wards shaded by money awarded; empty when the boundaries are not available."""
    outlines = neighbourhoods.ward_outlines()
    if not outlines:
        return mark_safe("")
    project, height = _projector(list(outlines.values()))
    by_code = {total.key: total for total in totals if total.key}
    largest = max((float(total.amount) for total in by_code.values()), default=0.0)
    with_grants = [code for code in outlines if code in by_code]
    desc = (
        f"A map of the {len(outlines)} wards, shaded darker where more money was awarded; "
        f"{len(with_grants)} wards have grants. The table below gives each ward's figures."
    )
    pieces = [
        format_html(
            '<svg class="opendeal-map" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="{}-title {}-desc" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
            '<desc id="{}-desc">{}</desc>',
            WIDTH,
            height,
            map_id,
            map_id,
            map_id,
            "Money awarded by ward",
            map_id,
            desc,
        )
    ]
    names = neighbourhoods.wards()
    for code, rings in outlines.items():
        total = by_code.get(code)
        amount = float(total.amount) if total else 0.0
        name = names[code].name if code in names else code
        label = f"{name}: {total.grants} grants" if total else f"{name}: no grants"
        pieces.append(
            format_html(
                '<path class="opendeal-map__ward opendeal-map__ward--{}" d="{}">'
                "<title>{}</title></path>",
                shade(amount, largest),
                _path(rings, project),
                label,
            )
        )
    pieces.append("</svg>")
    return mark_safe("".join(pieces))  # every piece is built by format_html
