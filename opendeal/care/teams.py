"""Care teams, kept by administrators: a team's name, its practitioners and its managers.

Membership decides whose records a practitioner sees (`care.access`), so only people whose role
lets them work with people's records can join, only team managers can manage, and every change
is audited with the ids of the accounts added and removed.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.core.permissions import holders_of

from .models import Team

MEMBER_PERMISSION = "care.work_with_people"
MANAGER_PERMISSION = "care.manage_team_people"


def _holding(permission: str, team: Team | None, current: str) -> QuerySet[User]:
    """Active accounts whose role gives `permission`, and whoever already holds the place in
    `team` (`current` is "members" or "managers"), so that someone whose role was taken away
    can still be taken off the team."""
    accounts = holders_of(permission)
    if team is not None and team.pk is not None:
        accounts = accounts | User.objects.filter(pk__in=getattr(team, current).values("pk"))
    return accounts.distinct().order_by("full_name", "email")


def possible_members(team: Team | None = None) -> QuerySet[User]:
    return _holding(MEMBER_PERMISSION, team, "members")


def possible_managers(team: Team | None = None) -> QuerySet[User]:
    return _holding(MANAGER_PERMISSION, team, "managers")


def teams_with_counts() -> QuerySet[Team]:
    """Every team with how many practitioners, managers and open records it has."""
    return Team.objects.annotate(
        member_count=Count("members", distinct=True),
        manager_count=Count("managers", distinct=True),
        open_records=Count(
            "people",
            filter=Q(people__closed_on__isnull=True, people__erased_at__isnull=True),
            distinct=True,
        ),
    ).order_by("name")


def _refuse_newcomers(
    chosen: Iterable[User], allowed: QuerySet[User], field: str, message: str
) -> None:
    allowed_ids = set(allowed.values_list("pk", flat=True))
    refused = sorted(user.email for user in chosen if user.pk not in allowed_ids)
    if refused:
        raise ValidationError({field: f"{message}: {', '.join(refused)}"})


@transaction.atomic
def save_team(
    actor: User,
    team: Team | None,
    *,
    name: str,
    members: Iterable[User],
    managers: Iterable[User],
) -> Team:
    """Create a team (`team` None) or change one, with exactly these members and managers."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the team’s name"})
    others = Team.objects.exclude(pk=team.pk) if team is not None else Team.objects.all()
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a team called {name}"})
    members, managers = list(members), list(managers)
    _refuse_newcomers(
        members,
        possible_members(team),
        "members",
        "Only practitioners and team managers can join a team, and these accounts are neither",
    )
    _refuse_newcomers(
        managers,
        possible_managers(team),
        "managers",
        "Only team managers can manage a team, and these accounts are not",
    )

    creating = team is None
    try:
        # A savepoint, so that a name taken by someone saving at the same moment is refused
        # like any other taken name.
        with transaction.atomic():
            if creating:
                team = Team.objects.create(name=name)
                before_members: set[User] = set()
                before_managers: set[User] = set()
            else:
                team = Team.objects.select_for_update().get(pk=team.pk)
                before_members = set(team.members.all())
                before_managers = set(team.managers.all())
                team.name = name
                team.save(update_fields=["name"])
    except IntegrityError:
        raise ValidationError({"name": f"There is already a team called {name}"}) from None
    team.members.set(members)
    team.managers.set(managers)

    def ids(users: set[User]) -> list[str]:
        return sorted(str(user.public_id) for user in users)

    audit.record(
        actor,
        "care.team.created" if creating else "care.team.changed",
        team,
        members_added=ids(set(members) - before_members),
        members_removed=ids(before_members - set(members)),
        managers_added=ids(set(managers) - before_managers),
        managers_removed=ids(before_managers - set(managers)),
    )
    return team
