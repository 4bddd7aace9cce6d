"""The access matrix: every caller against every page and API endpoint of a person's record.

A caller who may see the record gets 200; anyone else signed in gets 404, exactly as for a
record that does not exist, and the attempt is in the audit trail against the person. Anonymous
callers are sent to sign in (pages) or get 401 (API)."""

from collections.abc import Callable

import pytest
from django.urls import reverse

from opendeal.care import access
from opendeal.care.models import PersonShare
from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role

from .helpers import CareWorld


def _url(name: str, obj_of: Callable[[CareWorld], object]) -> Callable[[CareWorld], str]:
    return lambda w: reverse(f"care:{name}", args=[obj_of(w).public_id])


person = lambda w: w.person  # noqa: E731

# Pages anyone who may work with the person opens.
WORK_PAGES = {
    "person": _url("person", person),
    "person-edit": _url("person-edit", person),
    "relationship-create": _url("relationship-create", person),
    "relationship-edit": _url("relationship-edit", lambda w: w.relationship),
    "relationship-remove": _url("relationship-remove", lambda w: w.relationship),
    "conversation-create": _url("conversation-create", person),
    "conversation": _url("conversation", lambda w: w.conversation),
    "action-create": _url("action-create", lambda w: w.conversation),
    "connect": _url("connect", lambda w: w.conversation),
    "connection-status": _url("connection-status", lambda w: w.connection),
    "package-create": _url("package-create", person),
    "package-edit": _url("package-edit", lambda w: w.package),
    "wellbeing": _url("wellbeing", person),
    "swemwbs-create": _url("swemwbs-create", person),
    "ons4-create": _url("ons4-create", person),
}
# Pages only a manager of the person's team opens.
MANAGER_PAGES = {
    "audit": _url("audit", person),
    "share": _url("share", person),
    "close": _url("close", person),
    "subject-access": _url("subject-access", person),
    "subject-access-json": _url("subject-access-json", person),
    "erase": _url("erase", person),
}
API = {
    "api-person": lambda w: f"/api/care/people/{w.person.public_id}",
    "api-conversations": lambda w: f"/api/care/people/{w.person.public_id}/conversations",
    "api-wellbeing": lambda w: f"/api/care/people/{w.person.public_id}/wellbeing",
}


def _with_role(role: Role):
    return lambda w, make_user: make_user(role)


def _shared_practitioner(w: CareWorld, make_user):
    user = make_user(Role.PRACTITIONER)
    PersonShare.objects.create(person=w.person, user=user, shared_by=w.manager)
    return user


def _other_manager(w: CareWorld, make_user):
    user = make_user(Role.TEAM_MANAGER)
    w.south.managers.add(user)
    return user


# caller -> (how to make them, what they see: "manager", "work" or "nothing")
CALLERS = {
    **{f"role {role.value}, in no team": (_with_role(role), "nothing") for role in Role},
    "superuser in no team": (
        lambda w, make_user: _superuser(make_user),
        "nothing",
    ),
    "practitioner of the person's team": (lambda w, make_user: w.practitioner, "work"),
    "practitioner of another team": (lambda w, make_user: w.other_practitioner, "nothing"),
    "practitioner the record is shared with": (_shared_practitioner, "work"),
    "manager of the person's team": (lambda w, make_user: w.manager, "manager"),
    "manager of another team": (_other_manager, "nothing"),
    "team manager who is only a member of the team": (
        lambda w, make_user: _member_manager(w, make_user),
        "work",
    ),
}


def _superuser(make_user):
    user = make_user()
    user.is_superuser = True
    user.save()
    return user


def _member_manager(w: CareWorld, make_user):
    user = make_user(Role.TEAM_MANAGER)
    w.north.members.add(user)
    return user


def _expected(sees: str, page_kind: str) -> int:
    if sees == "manager":
        return 200
    if sees == "work" and page_kind in ("work", "api"):
        return 200
    return 404


@pytest.mark.parametrize("caller", CALLERS)
def test_every_page_and_endpoint_answers_200_or_404_and_404s_are_audited(
    caller, world, make_user, sign_in
):
    make, sees = CALLERS[caller]
    user = make(world, make_user)
    client = sign_in(user)
    pages = [
        *[(name, url, "work") for name, url in WORK_PAGES.items()],
        *[(name, url, "manager") for name, url in MANAGER_PAGES.items()],
        *[(name, url, "api") for name, url in API.items()],
    ]
    results = {}
    for name, url_of, _kind in pages:
        before = AuditEvent.objects.filter(actor=user, action=access.ACCESS_REFUSED).count()
        response = client.get(url_of(world))
        results[name] = response.status_code
        refused = AuditEvent.objects.filter(actor=user, action=access.ACCESS_REFUSED)
        if response.status_code == 404:
            # The refusal is logged once, against the person, naming only ids.
            assert refused.count() == before + 1, name
            event = refused.order_by("-pk").first()
            assert event.object_type == "care.person"
            assert event.object_id == str(world.person.public_id)
            assert "Margaret" not in str(event.details)
        else:
            assert refused.count() == before, name
    expected = {name: _expected(sees, kind) for name, _, kind in pages}
    assert results == expected


def test_anonymous_callers_are_sent_to_sign_in_or_get_401(world, client):
    for url_of in [*WORK_PAGES.values(), *MANAGER_PAGES.values()]:
        url = url_of(world)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:sign-in"))
    for url_of in API.values():
        response = client.get(url_of(world))
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_staff_without_two_factor_cannot_open_a_record(world, client):
    client.force_login(world.practitioner)
    response = client.get(reverse("care:person", args=[world.person.public_id]))
    assert response.status_code == 302
    assert "/account/two-factor/" in response["Location"]


def test_a_record_that_does_not_exist_is_the_same_404_and_is_logged(world, sign_in):
    import uuid

    missing = uuid.uuid4()
    response = sign_in(world.practitioner).get(reverse("care:person", args=[missing]))
    assert response.status_code == 404
    event = AuditEvent.objects.get(action=access.ACCESS_REFUSED)
    assert event.details == {"person": str(missing), "page": "record"}


def test_marking_an_action_done_is_refused_with_404_for_another_team(world, sign_in):
    url = reverse("care:action-done", args=[world.action.public_id])
    assert sign_in(world.other_practitioner).post(url).status_code == 404
    world.action.refresh_from_db()
    assert world.action.done_on is None
    assert sign_in(world.practitioner).post(url).status_code == 302
    world.action.refresh_from_db()
    assert world.action.done_on is not None


@pytest.mark.parametrize(
    "role,status",
    [(Role.PRACTITIONER, 200), (Role.TEAM_MANAGER, 200), (Role.ANALYST, 403), (Role.RESIDENT, 403)],
)
def test_the_caseload_opens_for_practitioners_and_managers_only(
    role, status, db, make_user, sign_in
):
    assert sign_in(make_user(role)).get(reverse("care:caseload")).status_code == status


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.ANALYST, 200),
        (Role.PRACTITIONER, 403),
        (Role.TEAM_MANAGER, 403),
        (Role.ADMINISTRATOR, 403),
    ],
)
def test_the_extract_opens_for_analysts_only(role, status, db, make_user, sign_in):
    client = sign_in(make_user(role))
    assert client.get(reverse("care:extract")).status_code == status
    assert client.get(reverse("care:extract-csv")).status_code == status


def test_the_caseload_lists_only_the_people_the_user_may_see(world, sign_in):
    page = sign_in(world.practitioner).get(reverse("care:caseload")).content.decode()
    assert "Margaret Testperson" in page
    assert "Sam South" not in page
    page = sign_in(world.other_practitioner).get(reverse("care:caseload")).content.decode()
    assert "Margaret Testperson" not in page
    assert "Sam South" in page
    viewed = AuditEvent.objects.filter(action="care.caseload.viewed").order_by("pk")
    assert [(event.actor, event.details) for event in viewed] == [
        (world.practitioner, {"searched": False, "count": 1}),
        (world.other_practitioner, {"searched": False, "count": 1}),
    ]
    listed = sign_in(world.manager).get("/api/care/people").json()
    assert [item["id"] for item in listed] == [str(world.person.public_id)]
    assert AuditEvent.objects.filter(
        actor=world.manager, action="care.caseload.viewed"
    ).get().details == {"searched": False, "count": 1, "api": True}
