"""Who may use a staff page: anonymous people are sent to sign in, others without the
permission are refused with 403. Two-factor sign-in is enforced by StaffTwoFactorMiddleware."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse


def staff_permission_required(*permissions: str) -> Callable:
    """Require every named permission ("app_label.codename"). With several, any one is not enough."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(permissions):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def any_permission_required(*permissions: str) -> Callable:
    """Require at least one of the named permissions."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_perm(permission) for permission in permissions):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def check_permission(actor, permission: str, *, to: str, role_lacks: str) -> tuple[bool, str]:
    """Whether `actor` holds `permission`, and if not why, in words for the page:
    "Sign in to {to}." or "Your role does not include {role_lacks}."."""
    if not actor.is_authenticated:
        return False, f"Sign in to {to}."
    if not actor.has_perm(permission):
        return False, f"Your role does not include {role_lacks}."
    return True, ""


def require(check: tuple[bool, str]) -> None:
    """Raise PermissionDenied with the reason when a `can_…` check says no."""
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def holders_of(permission: str, *, include_superusers: bool = False) -> QuerySet:
    """Active accounts given `permission` ("app_label.codename") by a role or directly (and
    superusers, who hold every permission, when asked), each once."""
    app_label, codename = permission.split(".")
    holding = Q(
        groups__permissions__content_type__app_label=app_label,
        groups__permissions__codename=codename,
    ) | Q(
        user_permissions__content_type__app_label=app_label,
        user_permissions__codename=codename,
    )
    if include_superusers:
        holding |= Q(is_superuser=True)
    accounts = get_user_model().objects
    return accounts.filter(pk__in=accounts.filter(holding, is_active=True).values("pk"))
