"""The refusal a panel member gets on the pages of an application they declared a conflict of
interest in: 403, with a page saying why. They declared the conflict themselves, so they know
the application exists and the page tells them nothing new; anyone else who may not see an
application still gets 404 (see `apply._application`)."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import scoring
from ..models import Application


def refuse_if_conflicted(request: HttpRequest, application: Application) -> None:
    """Raise ConflictedAccess (audited) if a panel member declared a conflict in it."""
    if request.user.has_perm(scoring.SCORE_PERMISSION):
        scoring.refuse_conflicted(request.user, application)


def conflicted_response(request: HttpRequest, refusal: scoring.ConflictedAccess) -> HttpResponse:
    return render(
        request,
        "fund/assess/conflicted.html",
        {"application": refusal.application},
        status=403,
    )


def refuses_conflicted(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a conflicted panel member's request with the 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except scoring.ConflictedAccess as refusal:
            return conflicted_response(request, refusal)

    return wrapped
