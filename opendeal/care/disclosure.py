"""Secondary (complementary) suppression: hiding a count under the small number is no use if
it can be worked out by subtracting the counts shown beside it from a total shown too.

The cells of a page are named by keys; each has a value and is either on the page or not
(a figure the page never shows, such as the part of a month before a chosen date, still counts:
it can be worked out). An `Addition` says that one cell is the sum of others (a period's total
and its months; before and after and the whole). A cell is *sensitive* when its value is under
the small number; sensitive cells are hidden first (primary suppression).

Then, as the ONS and NHS England do: while some sensitive cell can be worked out (an addition
with it as its only unknown, the known cells being those shown or themselves worked out), one
more cell of that addition is hidden too, the smallest of its parts that is still shown (the
total only when no part is left). This repeats until no sensitive cell can be worked out.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Addition:
    """`total` = the sum of `parts`."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


def complementary(
    values: dict[Hashable, int],
    shown: Iterable[Hashable],
    additions: Iterable[Addition],
    small: int,
) -> set[Hashable]:
    """The cells of `shown` to hide as well as those under `small`, so that no cell under
    `small` can be worked out from the cells left on the page through `additions`."""
    additions = [
        item for item in additions if item.parts and all(cell in values for cell in item.cells)
    ]
    shown = set(shown)
    hidden = {key for key in values if key not in shown or values[key] < small}
    extra: set[Hashable] = set()
    while True:
        derived_by = _derivations(values, hidden, additions)
        leaked = [key for key in derived_by if values[key] < small]
        to_hide = next(
            (
                found
                for found in (_to_hide(key, derived_by, hidden, values) for key in leaked)
                if found is not None
            ),
            None,
        )
        if to_hide is None:
            return extra
        hidden.add(to_hide)
        extra.add(to_hide)


def _derivations(values, hidden, additions) -> dict[Hashable, Addition]:
    """Each hidden cell that can be worked out, with the addition that gives it."""
    known = {key for key in values if key not in hidden}
    derived_by: dict[Hashable, Addition] = {}
    changed = True
    while changed:
        changed = False
        for addition in additions:
            unknown = [cell for cell in addition.cells if cell not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                derived_by[unknown[0]] = addition
                changed = True
    return derived_by


def _to_hide(cell, derived_by, hidden, values) -> Hashable | None:
    """A shown cell whose hiding stops `cell` being worked out: the smallest shown part of the
    addition that gives it, else (when its other cells were worked out themselves) one that
    stops those, else the addition's total."""
    addition = derived_by[cell]
    parts = [part for part in addition.parts if part != cell and part not in hidden]
    if parts:
        return min(parts, key=lambda part: (values[part], str(part)))
    for other in addition.cells:
        if other != cell and other in derived_by:
            found = _to_hide(other, derived_by, hidden, values)
            if found is not None:
                return found
    if addition.total != cell and addition.total not in hidden:
        return addition.total
    return None
