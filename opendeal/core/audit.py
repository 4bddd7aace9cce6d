"""One entry point for "someone did something that must be accountable"."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditEvent, User


def record(
    actor: User | None, action: str, obj: models.Model | None = None, **details: Any
) -> AuditEvent:
    """Append an audit event. `details` must hold no personal data beyond ids."""
    event = _event(actor, action, obj, details)
    event.save()
    return event


def record_many(
    actor: User | None, action: str, objs: Iterable[models.Model], **details: Any
) -> list[AuditEvent]:
    """The same event about each of `objs` (a list that shows many records), in one INSERT."""
    return AuditEvent.objects.bulk_create(_event(actor, action, obj, details) for obj in objs)


def _event(
    actor: User | None, action: str, obj: models.Model | None, details: dict[str, Any]
) -> AuditEvent:
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")) if obj else ""
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
