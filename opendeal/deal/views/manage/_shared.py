"""What the staff pages that edit the Deal share: permissions, form binding, redirects."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from opendeal.core.permissions import staff_permission_required

from ...models import (
    Commitment,
)

edit_required = staff_permission_required("deal.edit_deal")
progress_required = staff_permission_required("deal.record_progress")
TIMELINE_LENGTH = 10


def dashboard_url() -> str:
    return reverse("deal:manage")


def commitment_url(commitment: Commitment) -> str:
    return reverse("deal:manage-commitment", args=[commitment.public_id])


def commitment_or_404(commitment_id) -> Commitment:
    queryset = Commitment.objects.select_related("theme__deal")
    return get_object_or_404(queryset, public_id=commitment_id)
