from django.conf import settings
from django.http import HttpRequest

from .navigation import navigation


def council(request: HttpRequest) -> dict:
    return {"council": settings.OPENDEAL_COUNCIL, **navigation(request)}
