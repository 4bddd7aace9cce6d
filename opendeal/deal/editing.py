"""Editing the Deal's structure: the Deal itself, its themes, commitments, measures and milestones.

Each action checks that the actor may edit the Deal, validates, saves in a transaction and
writes the audit trail. Validation problems are raised as `ValidationError`s keyed by the
field they are about (the same names the actions take), so a form can show each one beside
its field. Progress itself (readings, milestones reached, status) is recorded by `services`.
"""

import re
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models, transaction

from opendeal.core import audit
from opendeal.core.editing import (
    assign_fields,
    keeping_position,
    locked,
    save_audited,
    with_default_position,
)
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require

from . import services
from .models import (
    Commitment,
    Deal,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    Theme,
)

DEAL_FIELDS = frozenset({"title", "slug", "area_code", "summary", "starts_on", "is_published"})
THEME_FIELDS = frozenset({"title", "slug", "summary", "position", "weight"})
COMMITMENT_FIELDS = frozenset(
    {"theme", "part", "reference", "title", "description", "position", "weight"}
)
MEASURE_FIELDS = frozenset(
    {
        "reference",
        "title",
        "kind",
        "weight",
        "unit",
        "direction",
        "baseline_value",
        "baseline_on",
        "target_value",
        "target_on",
        "source",
        "care_series",
        "observatory_indicator",
        "observatory_sex",
        "position",
    }
)
MILESTONE_FIELDS = frozenset({"title", "due_on", "position"})
# Fields that only mean something for a metric; a milestones measure keeps them empty.
METRIC_ONLY_FIELDS = (
    "unit",
    "direction",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "care_series",
    "observatory_indicator",
    "observatory_sex",
)

_GSS_CODE = re.compile(r"^[EWSN]\d{8}$")


def can_edit_deal(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor, "deal.edit_deal", to="edit the Deal", role_lacks="editing the Deal"
    )


# The Deal -------------------------------------------------------------------------------------


def _check_deal(deal: Deal) -> None:
    errors = {}
    if deal.slug and Deal.objects.filter(slug=deal.slug).exclude(pk=deal.pk).exists():
        errors["slug"] = f"Another Deal already uses the short name “{deal.slug}”. Choose another."
    if deal.area_code and not _GSS_CODE.match(deal.area_code):
        errors["area_code"] = (
            "Enter a GSS area code: a capital letter and 8 digits, like E08000010."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_deal(actor: User, **fields: Any) -> Deal:
    """A new Deal, unpublished unless `is_published` says otherwise."""
    require(can_edit_deal(actor))
    deal = Deal()
    assign_fields(deal, fields, DEAL_FIELDS)
    _check_deal(deal)
    save_audited(actor, deal, "deal.deal.created")
    return deal


@transaction.atomic
def update_deal(actor: User, deal: Deal, **fields: Any) -> Deal:
    require(can_edit_deal(actor))
    deal = locked(deal)
    changed = assign_fields(deal, keeping_position(fields), DEAL_FIELDS)
    _check_deal(deal)
    save_audited(actor, deal, "deal.deal.updated", changed)
    return deal


# Themes ---------------------------------------------------------------------------------------


def _check_theme(theme: Theme) -> None:
    clashes = Theme.objects.filter(deal=theme.deal_id, slug=theme.slug).exclude(pk=theme.pk)
    if theme.slug and clashes.exists():
        raise ValidationError(
            {"slug": f"Another theme of this Deal already uses the short name “{theme.slug}”."}
        )


@transaction.atomic
def create_theme(actor: User, deal: Deal, **fields: Any) -> Theme:
    require(can_edit_deal(actor))
    theme = Theme(deal=deal)
    assign_fields(theme, with_default_position(fields, deal.themes.all()), THEME_FIELDS)
    _check_theme(theme)
    save_audited(actor, theme, "deal.theme.created")
    return theme


@transaction.atomic
def update_theme(actor: User, theme: Theme, **fields: Any) -> Theme:
    require(can_edit_deal(actor))
    theme = locked(theme)
    changed = assign_fields(theme, keeping_position(fields), THEME_FIELDS)
    _check_theme(theme)
    save_audited(actor, theme, "deal.theme.updated", changed)
    return theme


# Commitments ----------------------------------------------------------------------------------


def _check_commitment(commitment: Commitment, deal_id: int) -> None:
    errors = {}
    if commitment.theme.deal_id != deal_id:
        errors["theme"] = "Choose a theme of the same Deal."
    clash = (
        Commitment.objects.filter(theme__deal=deal_id, reference__iexact=commitment.reference)
        .exclude(pk=commitment.pk)
        .first()
    )
    if commitment.reference and clash is not None:
        errors["reference"] = (
            f"The reference {commitment.reference} is already used in this Deal by “{clash.title}”."
            " Each commitment needs its own reference."
        )
    if commitment.pk and commitment.part == Part.YOURS and commitment.measures.exists():
        errors["part"] = "This commitment has measures of progress, so it must stay in our part."
    if commitment.pk and commitment.part == Part.OURS and commitment.pledges.exists():
        errors["part"] = "Residents have pledged to this commitment, so it must stay in your part."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_commitment(actor: User, theme: Theme, **fields: Any) -> Commitment:
    """A new commitment in the theme; `part` says whether it is the council's or residents'."""
    require(can_edit_deal(actor))
    commitment = Commitment(theme=theme)
    assign_fields(
        commitment, with_default_position(fields, theme.commitments.all()), COMMITMENT_FIELDS
    )
    _check_commitment(commitment, theme.deal_id)
    save_audited(actor, commitment, "deal.commitment.created")
    return commitment


@transaction.atomic
def update_commitment(actor: User, commitment: Commitment, **fields: Any) -> Commitment:
    """Change a commitment's wording, place or weight. It can move to another theme of the same
    Deal but not to another Deal."""
    require(can_edit_deal(actor))
    commitment = locked(commitment)
    deal_id = commitment.theme.deal_id
    changed = assign_fields(commitment, keeping_position(fields), COMMITMENT_FIELDS)
    _check_commitment(commitment, deal_id)
    save_audited(actor, commitment, "deal.commitment.updated", changed)
    if "weight" in changed or "theme" in changed:
        services.refresh_progress(commitment)
    return commitment


def deletion_blocker(commitment: Commitment) -> str:
    """Why the commitment cannot be deleted, or "" when it can."""
    pledges = commitment.pledges.count()
    if pledges:
        counted = "1 pledge" if pledges == 1 else f"{pledges} pledges"
        return (
            f"Residents have made {counted} to this commitment (counting withdrawn ones), so it "
            "cannot be deleted. Change its wording instead."
        )
    return ""


@transaction.atomic
def delete_commitment(actor: User, commitment: Commitment) -> None:
    """Delete a commitment with its measures, readings and timeline; refused once anyone has
    pledged to it, because their pledge must not vanish."""
    require(can_edit_deal(actor))
    commitment = locked(commitment)
    reason = deletion_blocker(commitment)
    if reason:
        raise ValidationError(reason)
    audit.record(actor, "deal.commitment.deleted", commitment, reference=commitment.reference)
    commitment.delete()


# Measures -------------------------------------------------------------------------------------


def _check_measure(measure: Measure) -> None:
    if measure.commitment.part != Part.OURS:
        raise ValidationError("Only the council’s commitments (our part) have measures.")
    errors = {}
    deal_id = measure.commitment.theme.deal_id
    clash = (
        Measure.objects.filter(commitment__theme__deal=deal_id, reference__iexact=measure.reference)
        .exclude(pk=measure.pk)
        .first()
    )
    if measure.reference and clash is not None:
        errors["reference"] = (
            f"The reference {measure.reference} is already used in this Deal by the measure "
            f"“{clash.title}”. Each measure needs its own reference."
        )
    if measure.kind == MeasureKind.METRIC:
        errors.update(_metric_problems(measure))
    errors.update(measure.series_problems())
    if measure.pk:
        errors.update(_kind_change_problems(measure))
    if errors:
        raise ValidationError(errors)


def _metric_problems(measure: Measure) -> dict[str, str]:
    problems = {}
    if not measure.direction:
        problems["direction"] = "Select whether higher or lower figures are better."
    # A linked series gives the baseline itself: its first figure (published_figures.py).
    if measure.baseline_value is None and not measure.takes_a_series:
        problems["baseline_value"] = "Enter the baseline: the figure progress is measured from."
    if measure.target_value is None:
        problems["target_value"] = "Enter the target figure."
    if measure.baseline_on and measure.target_on and measure.target_on <= measure.baseline_on:
        problems["target_on"] = "The target date must be after the baseline date."
    return problems


def _kind_change_problems(measure: Measure) -> dict[str, str]:
    if measure.kind == MeasureKind.MILESTONES and measure.readings.exists():
        return {"kind": "This measure has recorded figures, so it must stay a metric."}
    if measure.kind == MeasureKind.METRIC and measure.milestones.exists():
        return {"kind": "This measure has milestones, so it must stay a milestones measure."}
    return {}


def _clear_metric_fields(measure: Measure) -> None:
    if measure.kind == MeasureKind.MILESTONES:
        for name in METRIC_ONLY_FIELDS:
            empty = None if name.endswith(("_value", "_on", "_indicator")) else ""
            setattr(measure, name, empty)


@transaction.atomic
def create_measure(actor: User, commitment: Commitment, **fields: Any) -> Measure:
    """A new way of judging an "our part" commitment's progress: a metric with a baseline and a
    target, or a list of milestones."""
    require(can_edit_deal(actor))
    measure = Measure(commitment=commitment)
    assign_fields(measure, with_default_position(fields, commitment.measures.all()), MEASURE_FIELDS)
    _clear_metric_fields(measure)
    _check_measure(measure)
    save_audited(actor, measure, "deal.measure.created")
    services.refresh_progress(commitment)
    return measure


@transaction.atomic
def update_measure(actor: User, measure: Measure, **fields: Any) -> Measure:
    require(can_edit_deal(actor))
    measure = locked(measure)
    changed = assign_fields(measure, keeping_position(fields), MEASURE_FIELDS)
    _clear_metric_fields(measure)
    _check_measure(measure)
    save_audited(actor, measure, "deal.measure.updated", changed)
    services.refresh_progress(measure.commitment)
    return measure


# Milestones -----------------------------------------------------------------------------------


def _check_milestone(milestone: Milestone) -> None:
    if milestone.measure.kind != MeasureKind.MILESTONES:
        raise ValidationError("Only a milestones measure has milestones.")
    clashes = Milestone.objects.filter(measure=milestone.measure_id, title__iexact=milestone.title)
    if milestone.title and clashes.exclude(pk=milestone.pk).exists():
        # Imports name milestones by title, so two with one title could not be told apart.
        raise ValidationError({"title": "This measure already has a milestone with that title."})


@transaction.atomic
def create_milestone(actor: User, measure: Measure, **fields: Any) -> Milestone:
    require(can_edit_deal(actor))
    milestone = Milestone(measure=measure)
    assign_fields(
        milestone, with_default_position(fields, measure.milestones.all()), MILESTONE_FIELDS
    )
    _check_milestone(milestone)
    save_audited(actor, milestone, "deal.milestone.created")
    services.refresh_progress(measure.commitment)
    return milestone


@transaction.atomic
def update_milestone(actor: User, milestone: Milestone, **fields: Any) -> Milestone:
    require(can_edit_deal(actor))
    milestone = locked(milestone)
    changed = assign_fields(milestone, keeping_position(fields), MILESTONE_FIELDS)
    _check_milestone(milestone)
    save_audited(actor, milestone, "deal.milestone.updated", changed)
    services.refresh_progress(milestone.measure.commitment)
    return milestone


# Order ----------------------------------------------------------------------------------------


def _reorder(
    actor: User, siblings: models.QuerySet, ordered_ids: Sequence[UUID], parent: models.Model
) -> None:
    require(can_edit_deal(actor))
    items = {item.public_id: item for item in siblings.select_for_update()}
    if len(ordered_ids) != len(items) or set(ordered_ids) != set(items):
        noun = siblings.model._meta.verbose_name_plural
        raise ValidationError(f"The new order must list each of the {noun} exactly once.")
    for position, public_id in enumerate(ordered_ids):
        items[public_id].position = position
    siblings.model.objects.bulk_update(items.values(), ["position"])
    noun = siblings.model._meta.model_name
    audit.record(actor, f"deal.{noun}.reordered", parent, order=[str(i) for i in ordered_ids])


@transaction.atomic
def reorder_themes(actor: User, deal: Deal, ordered_ids: Sequence[UUID]) -> None:
    """Put the Deal's themes in the order of `ordered_ids` (their public ids)."""
    _reorder(actor, deal.themes.all(), ordered_ids, deal)


@transaction.atomic
def reorder_commitments(actor: User, theme: Theme, ordered_ids: Sequence[UUID]) -> None:
    _reorder(actor, theme.commitments.all(), ordered_ids, theme)


@transaction.atomic
def reorder_measures(actor: User, commitment: Commitment, ordered_ids: Sequence[UUID]) -> None:
    _reorder(actor, commitment.measures.all(), ordered_ids, commitment)


@transaction.atomic
def reorder_milestones(actor: User, measure: Measure, ordered_ids: Sequence[UUID]) -> None:
    _reorder(actor, measure.milestones.all(), ordered_ids, measure)
