"""Fund officers' set-up of funds and their rounds: tiers, priorities, eligibility questions,
the application form and the panel's criteria.

Every action checks the actor may manage funds, validates, saves in a transaction and writes
the audit trail. Problems are raised as `ValidationError`s keyed by field name, so a form
shows each beside its field.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from opendeal.core.editing import (
    assign_fields,
    keeping_position,
    locked,
    save_audited,
    with_default_position,
)
from opendeal.core.models import User
from opendeal.core.permissions import check_permission, require

from . import published_files
from .models import (
    Criterion,
    EligibilityQuestion,
    FormQuestion,
    Fund,
    Grant,
    Priority,
    Round,
    Tier,
)

FUND_FIELDS = frozenset(
    {"name", "slug", "description", "programme_code", "guidance", "is_published"}
)
ROUND_FIELDS = frozenset(
    {
        "title",
        "slug",
        "description",
        "guidance",
        "opens_at",
        "closes_at",
        "scoring_closes_at",
        "budget",
        "recorded_gap_weight",
        "published",
    }
)
# What may be set on each kind of item that belongs to a round.
ROUND_ITEM_FIELDS: dict[type[models.Model], frozenset[str]] = {
    Tier: frozenset(
        {
            "name",
            "description",
            "minimum_amount",
            "maximum_amount",
            "maximum_years",
            "taper",
            "position",
        }
    ),
    Priority: frozenset({"title", "description", "deal_theme", "position"}),
    EligibilityQuestion: frozenset(
        {"text", "hint", "position", "eligible_answer", "ineligible_message"}
    ),
    FormQuestion: frozenset({"text", "hint", "position", "required", "max_words"}),
    Criterion: frozenset({"name", "description", "weight", "descriptors", "position"}),
}


def can_manage_funds(actor: User) -> tuple[bool, str]:
    return check_permission(
        actor, "fund.manage_funds", to="manage funds", role_lacks="managing funds"
    )


# Funds ----------------------------------------------------------------------------------------


def _check_fund(fund: Fund) -> None:
    fund.name = (fund.name or "").strip()
    fund.slug = fund.slug or slugify(fund.name)[:50]
    if Fund.objects.filter(slug=fund.slug).exclude(pk=fund.pk).exists():
        raise ValidationError(
            {"slug": "Another fund already has this web address. Choose another."}
        )


@transaction.atomic
def create_fund(actor: User, **fields: Any) -> Fund:
    require(can_manage_funds(actor))
    fund = Fund()
    changed = assign_fields(fund, fields, FUND_FIELDS)
    _check_fund(fund)
    save_audited(actor, fund, "fund.fund.created", changed)
    return fund


@transaction.atomic
def update_fund(actor: User, fund: Fund, **fields: Any) -> Fund:
    require(can_manage_funds(actor))
    fund = locked(fund)
    changed = assign_fields(fund, fields, FUND_FIELDS)
    _check_fund(fund)
    save_audited(actor, fund, "fund.fund.updated", changed)
    if changed and Grant.objects.filter(application__round__fund=fund).exists():
        published_files.request_rebuild()  # its name and code are the grants' programme
    return fund


# Rounds ---------------------------------------------------------------------------------------


def _check_round(round_: Round) -> None:
    round_.title = (round_.title or "").strip()
    round_.slug = round_.slug or slugify(round_.title)[:50]
    errors = {}
    if round_.opens_at and round_.closes_at and round_.closes_at <= round_.opens_at:
        errors["closes_at"] = "The round must close after it opens."
    if (
        round_.scoring_closes_at
        and round_.closes_at
        and round_.scoring_closes_at < round_.closes_at
    ):
        errors["scoring_closes_at"] = "Scoring must close after the round closes to applications."
    siblings = Round.objects.filter(fund_id=round_.fund_id, slug=round_.slug).exclude(pk=round_.pk)
    if siblings.exists():
        errors["slug"] = "Another round of this fund already has this web address."
    if errors:
        raise ValidationError(errors)


def _check_budget_covers_awards(round_: Round) -> None:
    """The budget cannot be cut below what the round has already awarded (as varied). Called
    with the round's row locked, as awards and variations lock it, so none can slip in between
    the check and the save."""
    # Imported here: decisions imports awards, which reads the models this module sets up.
    from .decisions import committed

    if round_.pk is None or round_.budget is None:
        return
    awarded = committed(round_)
    if round_.budget < awarded:
        raise ValidationError(
            {
                "budget": f"The round has already awarded £{awarded:,.2f}, so its budget "
                f"cannot be less than that."
            }
        )


@transaction.atomic
def create_round(actor: User, fund: Fund, **fields: Any) -> Round:
    require(can_manage_funds(actor))
    round_ = Round(fund=fund)
    changed = assign_fields(round_, fields, ROUND_FIELDS)
    _check_round(round_)
    save_audited(actor, round_, "fund.round.created", changed)
    return round_


@transaction.atomic
def update_round(actor: User, round_: Round, **fields: Any) -> Round:
    require(can_manage_funds(actor))
    round_ = locked(round_)
    changed = assign_fields(round_, fields, ROUND_FIELDS)
    _check_round(round_)
    _check_budget_covers_awards(round_)
    save_audited(actor, round_, "fund.round.updated", changed)
    if changed and Grant.objects.filter(application__round=round_).exists():
        published_files.request_rebuild()  # its title is part of the grants' programme
    return round_


# Tiers, priorities, questions and criteria ----------------------------------------------------


def _check_item(item: models.Model) -> None:
    if isinstance(item, Tier):
        siblings = Tier.objects.filter(round_id=item.round_id, name=item.name).exclude(pk=item.pk)
        if siblings.exists():
            raise ValidationError({"name": "This round already has a tier with this name."})
    if isinstance(item, Criterion):
        siblings = Criterion.objects.filter(round_id=item.round_id, name=item.name)
        if siblings.exclude(pk=item.pk).exists():
            raise ValidationError({"name": "This round already has a criterion with this name."})


def _action_name(model: type[models.Model], verb: str) -> str:
    return f"fund.{model._meta.model_name}.{verb}"


@transaction.atomic
def add_to_round(actor: User, round_: Round, model: type[models.Model], **fields: Any):
    """Add a tier, priority, eligibility question, form question or criterion to a round."""
    require(can_manage_funds(actor))
    allowed = ROUND_ITEM_FIELDS[model]
    if "position" in allowed:
        fields = with_default_position(fields, model.objects.filter(round=round_))
    item = model(round=round_)
    changed = assign_fields(item, fields, allowed)
    _check_item(item)
    save_audited(actor, item, _action_name(model, "created"), changed)
    return item


@transaction.atomic
def update_round_item(actor: User, item: models.Model, **fields: Any):
    require(can_manage_funds(actor))
    item = locked(item)
    changed = assign_fields(item, keeping_position(fields), ROUND_ITEM_FIELDS[type(item)])
    _check_item(item)
    save_audited(actor, item, _action_name(type(item), "updated"), changed)
    if (
        isinstance(item, Priority)
        and changed
        and item.applications.filter(grant__isnull=False).exists()
    ):
        published_files.request_rebuild()  # its title classifies the grants that serve it
    return item
