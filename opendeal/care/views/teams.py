"""Administrators' pages for care teams: the list, and creating or changing a team."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from opendeal.core.accounts.services import MANAGE_ROLES_PERMISSION
from opendeal.core.form_pages import form_page, posted
from opendeal.core.permissions import staff_permission_required

from .. import teams
from ..forms import TeamForm
from ..models import Team


@staff_permission_required(MANAGE_ROLES_PERMISSION)
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "care/teams.html", {"teams": teams.teams_with_counts()})


@staff_permission_required(MANAGE_ROLES_PERMISSION)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, public_id: uuid.UUID | None = None) -> HttpResponse:
    team = get_object_or_404(Team, public_id=public_id) if public_id else None
    initial = (
        {
            "name": team.name,
            "members": list(team.members.all()),
            "managers": list(team.managers.all()),
        }
        if team
        else {}
    )
    form = TeamForm(
        posted(request),
        initial=initial,
        members=teams.possible_members(team),
        managers=teams.possible_managers(team),
    )

    def save(data: dict) -> Team:
        return teams.save_team(
            request.user,
            team,
            name=data["name"],
            members=data["members"],
            managers=data["managers"],
        )

    return form_page(
        request,
        form,
        save,
        heading="Change the team" if team else "Add a team",
        caption=team.name if team else "Care teams",
        back_url=reverse("care:teams"),
        done=lambda saved: (f"The team {saved.name} has been saved.", reverse("care:teams")),
    )
