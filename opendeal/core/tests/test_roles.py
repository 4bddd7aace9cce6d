"""Roles as groups, and administrators changing people's roles."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client

from opendeal.core.accounts.services import RoleChangeRefused, roles_of, set_roles
from opendeal.core.models import AuditEvent
from opendeal.core.roles import ROLE_PERMISSIONS, STAFF_ROLES, Role


def test_every_role_has_a_group_with_exactly_its_permissions(db):
    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.label)
        held = {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == codes, role


def test_only_administrators_may_change_roles(make_user):
    assert make_user(Role.ADMINISTRATOR).has_perm("core.change_user")
    for role in Role:
        if role != Role.ADMINISTRATOR:
            assert not make_user(role).has_perm("core.change_user"), role


# The people pages: four callers each


@pytest.fixture
def person(make_user):
    return make_user(Role.RESIDENT, email="pat@example.org", full_name="Pat Person")


def people_pages(person) -> list[str]:
    return ["/account/people/", f"/account/people/{person.public_id}/roles/"]


def test_people_pages_send_anonymous_callers_to_sign_in(client, person):
    for path in people_pages(person):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/account/sign-in/?next={path}"


def test_people_pages_refuse_residents(sign_in, resident, person):
    client = sign_in(resident)
    for path in people_pages(person):
        assert client.get(path).status_code == 403


def test_people_pages_refuse_staff_without_the_permission(sign_in, practitioner, person):
    client = sign_in(practitioner)
    for path in people_pages(person):
        assert client.get(path).status_code == 403


def test_people_pages_serve_administrators(sign_in, administrator, person):
    client = sign_in(administrator)
    listing = client.get("/account/people/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "pat@example.org" in html
    assert f'href="/account/people/{person.public_id}/roles/"' in html
    form = client.get(f"/account/people/{person.public_id}/roles/")
    assert form.status_code == 200
    assert 'value="resident" checked' in form.content.decode()
    assert 'value="administrator" checked' not in form.content.decode()


def test_unknown_person_is_not_found(sign_in, administrator):
    client = sign_in(administrator)
    response = client.get("/account/people/00000000-0000-0000-0000-000000000000/roles/")
    assert response.status_code == 404


@pytest.mark.parametrize("caller", ["anonymous", "resident", "practitioner"])
def test_posting_roles_without_the_permission_changes_nothing(
    sign_in, resident, practitioner, person, caller
):
    client = {
        "anonymous": Client(),
        "resident": sign_in(resident),
        "practitioner": sign_in(practitioner),
    }[caller]
    response = client.post(
        f"/account/people/{person.public_id}/roles/", {"roles": ["administrator"]}
    )
    assert response.status_code == (302 if caller == "anonymous" else 403)
    assert roles_of(person) == {Role.RESIDENT}
    assert not AuditEvent.objects.filter(action="account.roles_changed").exists()


def test_people_list_searches_by_email(sign_in, administrator, make_user):
    make_user(Role.RESIDENT, email="alpha@example.org")
    make_user(Role.ANALYST, email="beta@council.example")
    html = sign_in(administrator).get("/account/people/?q=COUNCIL").content.decode()
    assert "beta@council.example" in html
    assert "Analyst" in html
    assert "alpha@example.org" not in html
    assert "1 person matches" in html


def test_people_list_is_paginated(sign_in, administrator, make_user):
    for number in range(30):
        make_user(email=f"member{number:02d}@example.org")
    client = sign_in(administrator)
    first = client.get("/account/people/?q=member").content.decode()
    second = client.get("/account/people/?q=member&page=2").content.decode()
    assert first.count('<td class="govuk-table__cell">member') == 25
    assert second.count('<td class="govuk-table__cell">member') == 5
    assert "member00@example.org" in first and "member00@example.org" not in second
    assert "member29@example.org" in second
    assert 'href="?q=member&amp;page=2" rel="next"' in first
    assert 'href="?q=member&amp;page=1" rel="prev"' in second


# Changing roles


def test_administrator_changes_roles_through_the_page(sign_in, administrator, person):
    client = sign_in(administrator)
    response = client.post(
        f"/account/people/{person.public_id}/roles/",
        {"roles": ["resident", "practitioner"]},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/people/"
    assert roles_of(person) == {Role.RESIDENT, Role.PRACTITIONER}
    event = AuditEvent.objects.get(action="account.roles_changed")
    assert event.actor == administrator
    assert event.object_id == str(person.public_id)
    assert event.details == {"added": ["practitioner"], "removed": []}
    assert "pat@example.org" not in str(event.details)


def test_set_roles_adds_and_removes_and_two_factor_follows(administrator, person):
    added, removed = set_roles(administrator, person, {Role.PRACTITIONER})
    assert (added, removed) == ({Role.PRACTITIONER}, {Role.RESIDENT})
    assert roles_of(person) == {Role.PRACTITIONER}
    # The same object, without reloading, now needs two factors.
    assert person.needs_two_factor
    set_roles(administrator, person, {Role.RESIDENT})
    assert not person.needs_two_factor
    assert AuditEvent.objects.filter(action="account.roles_changed").count() == 2


def test_set_roles_with_no_change_writes_no_audit(administrator, person):
    assert set_roles(administrator, person, {Role.RESIDENT}) == (set(), set())
    assert not AuditEvent.objects.filter(action="account.roles_changed").exists()


def test_set_roles_refuses_someone_without_the_permission(practitioner, person):
    with pytest.raises(PermissionDenied, match="does not include changing people's roles"):
        set_roles(practitioner, person, {Role.ADMINISTRATOR})
    assert roles_of(person) == {Role.RESIDENT}
    assert not AuditEvent.objects.exists()


def test_administrators_cannot_remove_their_own_administrator_role(sign_in, administrator):
    with pytest.raises(RoleChangeRefused, match="cannot remove the administrator role"):
        set_roles(administrator, administrator, {Role.ANALYST})
    assert roles_of(administrator) == {Role.ADMINISTRATOR}

    client = sign_in(administrator)
    response = client.post(
        f"/account/people/{administrator.public_id}/roles/", {"roles": ["analyst"]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert "You cannot remove the administrator role from yourself" in html
    assert roles_of(administrator) == {Role.ADMINISTRATOR}
    assert not AuditEvent.objects.filter(action="account.roles_changed").exists()

    # Adding a role to yourself is fine, and another administrator can remove yours.
    set_roles(administrator, administrator, {Role.ADMINISTRATOR, Role.ANALYST})
    assert roles_of(administrator) == {Role.ADMINISTRATOR, Role.ANALYST}


def test_another_administrator_can_remove_the_administrator_role(make_user, administrator):
    other = make_user(Role.ADMINISTRATOR)
    set_roles(other, administrator, set())
    assert roles_of(administrator) == set()
    assert not administrator.has_perm("core.change_user")


def test_staff_roles_are_the_ones_needing_two_factor():
    assert {role.value for role in STAFF_ROLES} == {
        "practitioner",
        "team_manager",
        "fund_officer",
        "panel_member",
        "analyst",
        "directory_editor",
        "administrator",
    }


# Resetting someone's two-factor sign-in (a lost phone)


def test_an_administrator_resets_someones_two_factor(sign_in, administrator, make_user):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opendeal.core.accounts.two_factor import create_backup_codes, enrol_totp_device

    officer = make_user(Role.FUND_OFFICER)
    enrol_totp_device(officer)
    create_backup_codes(officer)
    url = f"/account/people/{officer.public_id}/two-factor/reset/"

    response = sign_in(administrator).post(url)

    assert response.status_code == 302
    assert response["Location"] == f"/account/people/{officer.public_id}/roles/"
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="account.two_factor_reset")
    assert (event.actor, event.object_id, event.details) == (
        administrator,
        str(officer.public_id),
        {"devices_removed": 2},
    )


@pytest.mark.parametrize("caller", ["anonymous", "resident", "practitioner", "self"])
def test_two_factor_reset_is_refused_to_others_and_changes_nothing(
    caller, sign_in, administrator, resident, practitioner, make_user
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opendeal.core.accounts.two_factor import enrol_totp_device

    target = administrator if caller == "self" else make_user(Role.FUND_OFFICER)
    if caller != "self":
        enrol_totp_device(target)
    client = {
        "anonymous": Client(),
        "resident": sign_in(resident) if caller == "resident" else None,
        "practitioner": sign_in(practitioner) if caller == "practitioner" else None,
        "self": sign_in(administrator) if caller == "self" else None,
    }[caller]
    devices_before = TOTPDevice.objects.filter(user=target).count()

    response = client.post(f"/account/people/{target.public_id}/two-factor/reset/")

    expected = {"anonymous": 302, "resident": 403, "practitioner": 403, "self": 302}[caller]
    assert response.status_code == expected
    if caller == "anonymous":
        assert response["Location"].startswith("/account/sign-in/")
    assert TOTPDevice.objects.filter(user=target).count() == devices_before >= 1
    assert not AuditEvent.objects.filter(action="account.two_factor_reset").exists()
