"""Staff who have not finished two-factor sign-in, or whose session went idle, are refused by
the API with a problem document, not redirected to an HTML sign-in page an API client cannot
follow; pages still redirect."""

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from opendeal.core.roles import Role

pytestmark = pytest.mark.django_db


def test_an_api_call_before_two_factor_sign_in_is_a_401_problem(make_user):
    client = Client()
    client.force_login(make_user(Role.PRACTITIONER))

    response = client.get("/api/care/people")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Two-factor sign-in needed"
    # A page still sends them to finish signing in.
    page = client.get(reverse("care:caseload"))
    assert page.status_code == 302 and "two-factor" in page["Location"]


@override_settings(STAFF_SESSION_IDLE_SECONDS=60)
def test_an_api_call_after_the_session_went_idle_is_a_401_problem(make_user, sign_in):
    client = sign_in(make_user(Role.PRACTITIONER))
    session = client.session
    session["staff_last_seen"] = int(time.time()) - 3600
    session.save()

    response = client.get("/api/care/people")

    assert response.status_code == 401
    assert response.json()["title"] == "Signed out"
    assert "_auth_user_id" not in client.session
