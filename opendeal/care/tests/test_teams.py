"""Administrators keep care teams on their own pages: who may join, who may manage, each change
audited by account ids, and no one else may open the pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from playwright.sync_api import expect

from opendeal.care import access, teams
from opendeal.care.models import Person, Team
from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import follow, signed_in, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER, full_name="Pat Practitioner"),
        "manager": make_user(Role.TEAM_MANAGER, full_name="Morgan Manager"),
        "officer": make_user(Role.FUND_OFFICER, full_name="Frankie Officer"),
    }


def test_possible_members_and_managers_follow_the_roles(staff):
    assert list(teams.possible_members()) == [staff["manager"], staff["practitioner"]]
    assert list(teams.possible_managers()) == [staff["manager"]]


def test_creating_a_team_sets_its_people_and_audits_by_id(administrator, staff):
    team = teams.save_team(
        administrator,
        None,
        name="  Wigan   North ",
        members=[staff["practitioner"]],
        managers=[staff["manager"]],
    )

    assert team.name == "Wigan North"
    assert list(team.members.all()) == [staff["practitioner"]]
    assert list(team.managers.all()) == [staff["manager"]]
    event = AuditEvent.objects.get(action="care.team.created")
    assert (event.actor, event.object_id) == (administrator, str(team.public_id))
    assert event.details == {
        "members_added": [str(staff["practitioner"].public_id)],
        "members_removed": [],
        "managers_added": [str(staff["manager"].public_id)],
        "managers_removed": [],
    }
    assert "Pat" not in str(event.details)


def test_membership_decides_whose_records_a_practitioner_sees(administrator, staff):
    team = teams.save_team(administrator, None, name="Leigh", members=[], managers=[])
    person = Person.objects.create(team=team, given_name="Fictional", is_fictional=True)
    assert person not in access.visible_people(staff["practitioner"])

    teams.save_team(administrator, team, name="Leigh", members=[staff["practitioner"]], managers=[])

    assert person in access.visible_people(staff["practitioner"])
    event = AuditEvent.objects.get(action="care.team.changed")
    assert event.details["members_added"] == [str(staff["practitioner"].public_id)]


def test_someone_without_a_care_role_cannot_join_or_manage(administrator, staff):
    with pytest.raises(ValidationError) as refused:
        teams.save_team(
            administrator,
            None,
            name="Hindley",
            members=[staff["officer"]],
            managers=[staff["practitioner"]],
        )
    assert staff["officer"].email in str(refused.value.message_dict["members"])
    assert not Team.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="care.team").exists()


def test_someone_whose_role_was_taken_away_can_still_be_taken_off(administrator, staff):
    practitioner = staff["practitioner"]
    team = teams.save_team(administrator, None, name="Ince", members=[practitioner], managers=[])
    practitioner.groups.clear()
    assert practitioner in teams.possible_members(team)
    assert practitioner not in teams.possible_members()

    teams.save_team(administrator, team, name="Ince", members=[], managers=[])

    assert not team.members.exists()


def test_team_names_are_unique_whatever_their_case(administrator):
    teams.save_team(administrator, None, name="Atherton", members=[], managers=[])
    with pytest.raises(ValidationError, match="There is already a team called ATHERTON"):
        teams.save_team(administrator, None, name="ATHERTON", members=[], managers=[])


def test_the_list_counts_people_and_open_records(administrator, staff, sign_in):
    team = teams.save_team(
        administrator,
        None,
        name="Standish",
        members=[staff["practitioner"], staff["manager"]],
        managers=[staff["manager"]],
    )
    Person.objects.create(team=team, given_name="Opentestperson", is_fictional=True)
    Person.objects.create(team=team, given_name="Closed", is_fictional=True, closed_on="2025-01-31")

    html = sign_in(administrator).get(reverse("care:teams")).content.decode()

    row = html[html.index("Standish") :]
    cells = [cell.split("</td>")[0] for cell in row.split('numeric">')[1:4]]
    assert cells == ["2", "1", "1"]
    assert "Opentestperson" not in html


@pytest.mark.parametrize(
    "role", [Role.PRACTITIONER, Role.TEAM_MANAGER, Role.FUND_OFFICER, Role.ANALYST]
)
def test_only_administrators_open_the_team_pages(role, make_user, sign_in, administrator):
    team = teams.save_team(administrator, None, name="Orrell", members=[], managers=[])
    caller = sign_in(make_user(role))
    for url in (
        reverse("care:teams"),
        reverse("care:team-create"),
        reverse("care:team-edit", args=[team.public_id]),
    ):
        assert caller.get(url).status_code == 403, url
    response = caller.post(reverse("care:team-create"), {"name": "Sneaky"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Sneaky").exists()


def test_a_bad_form_shows_the_error_summary_and_saves_nothing(administrator, staff, sign_in):
    caller = sign_in(administrator)
    response = caller.post(
        reverse("care:team-create"),
        {"name": "", "members": [str(staff["practitioner"].public_id)]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Enter the team’s name" in html
    # An account outside the choices (not a practitioner) is refused by the form itself.
    response = caller.post(
        reverse("care:team-create"),
        {"name": "Aspull", "members": [str(staff["officer"].public_id)]},
    )
    assert "Choose practitioners from the list" in response.content.decode()
    assert not Team.objects.exists()


@pytest.mark.browser
def test_an_administrator_adds_a_team_in_a_browser(
    transactional_db, page, live_server, sign_in, make_user
):
    administrator = make_user(Role.ADMINISTRATOR, full_name="Alex Admin")
    practitioner = make_user(Role.PRACTITIONER, full_name="Pat Practitioner")
    make_user(Role.TEAM_MANAGER, full_name="Morgan Manager")
    signed_in(page, live_server, sign_in(administrator))

    visit(page, reverse("core:account"))
    follow(page.get_by_role("link", name="Care teams"))
    assert_accessible(page)
    follow(page.get_by_role("button", name="Add a team"))
    assert_accessible(page)
    follow(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the team’s name")
    assert_accessible(page)

    page.get_by_label("Name of the team").fill("Wigan Central")
    page.get_by_role("group", name="Practitioners in the team").get_by_label(
        "Pat Practitioner"
    ).check()
    page.get_by_role("group", name="Managers of the team").get_by_label("Morgan Manager").check()
    follow(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The team Wigan Central has been saved."
    )
    expect(page.locator("#teams")).to_contain_text("Wigan Central")
    assert_accessible(page)
    team = Team.objects.get(name="Wigan Central")
    assert list(team.members.all()) == [practitioner]
