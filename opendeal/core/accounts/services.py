"""Account actions: residents registering, and administrators changing people's roles.

Two-factor actions live in `two_factor.py`; the two the demo loader needs are re-exported here.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.core.roles import Role

from .two_factor import enrol_totp_device, totp_secret_base32

__all__ = [
    "RoleChangeRefused",
    "can_reset_two_factor",
    "can_set_roles",
    "enrol_totp_device",
    "register_resident",
    "reset_two_factor",
    "set_roles",
    "totp_secret_base32",
]

MANAGE_ROLES_PERMISSION = "core.change_user"


class RoleChangeRefused(PermissionDenied):
    """A role change the actor may not make; the message says why."""


def register_resident(full_name: str, email: str, password: str) -> User:
    """Create a resident's account. The password must pass the configured validators."""
    email = User.objects.normalize_email(email).lower()
    validate_password(password, User(email=email, full_name=full_name))
    with transaction.atomic():
        user = User.objects.create_user(email, password, full_name=full_name)
        user.groups.add(Group.objects.get(name=Role.RESIDENT.label))
        audit.record(user, "account.registered", user)
    return user


def roles_of(user: User) -> set[Role]:
    names = set(user.groups.values_list("name", flat=True))
    return {role for role in Role if role.label in names}


def can_set_roles(actor: User, user: User, roles: Iterable[Role]) -> tuple[bool, str]:
    """Whether `actor` may give `user` exactly `roles`, and if not, why."""
    if not actor.is_authenticated:
        return False, "Sign in to change people's roles."
    if not actor.has_perm(MANAGE_ROLES_PERMISSION):
        return False, "Your role does not include changing people's roles."
    if (
        actor.pk == user.pk
        and Role.ADMINISTRATOR in roles_of(user)
        and Role.ADMINISTRATOR not in set(roles)
    ):
        return False, (
            "You cannot remove the administrator role from yourself. "
            "Ask another administrator to do it"
        )
    return True, ""


def set_roles(actor: User, user: User, roles: Iterable[Role]) -> tuple[set[Role], set[Role]]:
    """Give `user` exactly `roles`. Returns the roles added and removed.

    Two-factor sign-in follows from the roles: someone given a staff role must set up an
    authenticator app before they next use the service."""
    roles = set(roles)
    allowed, reason = can_set_roles(actor, user, roles)
    if not allowed:
        raise RoleChangeRefused(reason)
    with transaction.atomic():
        # One role change at a time per person, so "added" and "removed" are exact.
        User.objects.select_for_update().filter(pk=user.pk).first()
        before = roles_of(user)
        user.groups.set(Group.objects.filter(name__in=[role.label for role in roles]))
        added, removed = roles - before, before - roles
        if added or removed:
            audit.record(
                actor,
                "account.roles_changed",
                user,
                added=sorted(role.value for role in added),
                removed=sorted(role.value for role in removed),
            )
    # The user's cached role names (and so needs_two_factor) must reflect the change.
    for cached in ("_role_names", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)
    return added, removed


def can_reset_two_factor(actor: User, user: User) -> tuple[bool, str]:
    if not actor.is_authenticated or not actor.has_perm(MANAGE_ROLES_PERMISSION):
        return False, "Your role does not include resetting people's two-factor sign-in."
    if actor.pk == user.pk:
        return False, (
            "You cannot reset your own two-factor sign-in. Use a backup code, or ask another "
            "administrator"
        )
    return True, ""


def reset_two_factor(actor: User, user: User) -> int:
    """Remove someone's authenticator and backup codes (a lost phone): they set up a new one
    when they next sign in, and any session verified with the old one stops being verified.
    Returns how many devices were removed."""
    allowed, reason = can_reset_two_factor(actor, user)
    if not allowed:
        raise PermissionDenied(reason)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(
            TOTPDevice._meta.label, 0
        ) + StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        audit.record(actor, "account.two_factor_reset", user, devices_removed=removed)
    return removed
