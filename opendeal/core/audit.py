"""One entry point for "someone did something that must be accountable"."""

from typing import Any

from django.db import models

from .models import AuditEvent, User


def record(
    actor: User | None, action: str, obj: models.Model | None = None, **details: Any
) -> AuditEvent:
    """Append an audit event. `details` must hold no personal data beyond ids."""
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")) if obj else ""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
