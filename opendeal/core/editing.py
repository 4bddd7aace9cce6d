"""What every app's editing actions share: saving with the audit trail, locking the row being
edited, and keeping items of a list in order."""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Max

from . import audit
from .models import User


def save_audited(
    actor: User, instance: models.Model, action: str, changed: Iterable[str] = ()
) -> None:
    """Validate the fields, save, and record who changed which fields."""
    # Uniqueness is checked by each action's own rules, which say more than Django's defaults.
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    audit.record(actor, action, instance, fields=sorted(changed))


def locked(instance: models.Model) -> models.Model:
    """A fresh copy of the row, locked until the transaction ends, so a refused edit leaves the
    caller's object as it was and two editors (or an editor and a registration counting an
    event's places) cannot interleave."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def with_default_position(fields: dict[str, Any], siblings: models.QuerySet) -> dict[str, Any]:
    """New items go at the end unless a position is given."""
    if fields.get("position") is not None:
        return fields
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return {**fields, "position": 0 if highest is None else highest + 1}


def keeping_position(fields: dict[str, Any]) -> dict[str, Any]:
    """An edit that leaves the position empty keeps the item where it is."""
    if "position" in fields and fields["position"] is None:
        return {name: value for name, value in fields.items() if name != "position"}
    return fields


def assign_fields(
    instance: models.Model, fields: dict[str, Any], allowed: frozenset[str]
) -> list[str]:
    """Set the given fields on the instance; return the names of those whose value changed.
    A field outside `allowed` is a programming error (TypeError), not a user's."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot set {', '.join(sorted(unknown))} on {type(instance).__name__}.")
    changed = [name for name, value in fields.items() if getattr(instance, name, None) != value]
    for name, value in fields.items():
        setattr(instance, name, value)
    return sorted(changed)
