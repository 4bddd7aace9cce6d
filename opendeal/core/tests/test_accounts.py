"""Signing in and out, lockout after repeated failures, registering, and passwords."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from opendeal.core.models import AuditEvent, User
from opendeal.core.roles import Role

PASSWORD = "correct horse battery"  # the conftest's make_user password
SIGN_IN = "/account/sign-in/"


def sign_in_with_password(client: Client, email: str, password: str, query: str = ""):
    return client.post(SIGN_IN + query, {"username": email, "password": password})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# Sign in and out


def test_url_names_are_in_the_core_namespace():
    assert reverse("core:sign-in") == SIGN_IN
    assert reverse("core:two-factor") == "/account/two-factor/"
    assert reverse("core:two-factor-setup") == "/account/two-factor/setup/"
    assert reverse("core:register") == "/account/register/"
    assert reverse("core:account") == "/account/"
    assert reverse("core:people") == "/account/people/"


@pytest.mark.django_db
def test_sign_in_page_labels_the_email_field_and_names_it_for_axes(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="govuk-label" for="id_username">Email address</label>' in html
    assert 'name="username" type="email"' in html
    assert 'name="password" type="password"' in html
    assert "<title>Sign in" in html


def test_resident_signs_in_with_password_only(client, resident):
    response = sign_in_with_password(client, resident.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert signed_in_user_id(client) == str(resident.pk)
    page = client.get("/account/")
    assert page.status_code == 200
    assert resident.email in page.content.decode()


def test_sign_in_follows_a_safe_next_address_and_ignores_another_site(resident):
    client = Client()
    response = sign_in_with_password(client, resident.email, PASSWORD, "?next=/deal/")
    assert response["Location"] == "/deal/"
    client = Client()
    response = sign_in_with_password(
        client, resident.email, PASSWORD, "?next=https://evil.example/steal"
    )
    assert response["Location"] == "/account/"


@pytest.mark.parametrize("email", ["person@example.org", "nobody@example.org"])
def test_a_wrong_password_or_unknown_email_gets_the_same_error_summary(client, make_user, email):
    make_user(Role.RESIDENT, email="person@example.org")
    response = sign_in_with_password(client, email, "not the password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Sign in" in html
    assert 'class="govuk-error-summary"' in html
    assert "Enter a correct email address and password" in html
    assert signed_in_user_id(client) is None


def test_an_empty_sign_in_form_names_each_missing_field(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert AccessAttempt.objects.count() == 0  # nothing was tried, so nothing counts


def test_inactive_accounts_cannot_sign_in(client, resident):
    User.objects.filter(pk=resident.pk).update(is_active=False)
    response = sign_in_with_password(client, resident.email, PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_five_failures_lock_the_email_and_address_pair_even_for_the_right_password(
    client, make_user
):
    person = make_user(Role.RESIDENT, email="locked@example.org")
    statuses = [
        sign_in_with_password(client, person.email, f"wrong {attempt}").status_code
        for attempt in range(5)
    ]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert statuses == [200, 200, 200, 200, 429]

    locked = sign_in_with_password(client, person.email, PASSWORD)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "You cannot sign in at the moment" in html
    assert "15 minutes" in html
    assert person.email not in html
    assert signed_in_user_id(client) is None

    # Someone else signing in from the same address is not locked out.
    other = make_user(Role.RESIDENT, email="other@example.org")
    assert sign_in_with_password(client, other.email, PASSWORD).status_code == 302


def test_lockout_page_is_the_same_for_an_email_with_no_account(client, make_user):
    make_user(Role.RESIDENT, email="real@example.org")
    pages = {}
    for email in ("real@example.org", "ghost@example.org"):
        for attempt in range(5):
            response = sign_in_with_password(client, email, f"wrong {attempt}")
        assert response.status_code == 429
        # The nonce differs on every page; everything else must be identical.
        pages[email] = re.sub(r'nonce="[^"]+"', "", response.content.decode())
    assert pages["real@example.org"] == pages["ghost@example.org"]


def test_sign_out_needs_a_post_and_ends_the_session(client, resident):
    client.force_login(resident)
    assert client.get("/account/sign-out/").status_code == 405
    assert signed_in_user_id(client) == str(resident.pk)
    response = client.post("/account/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None


def test_timed_out_sign_in_page_says_why(client, db):
    html = client.get(SIGN_IN + "?timed_out=1").content.decode()
    assert "You were signed out because you were inactive" in html
    assert "You were signed out" not in client.get(SIGN_IN).content.decode()


# The account page


def test_account_page_needs_sign_in(client, db):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/account/"


def test_account_page_shows_name_email_roles_and_links(sign_in, make_user):
    person = make_user(Role.RESIDENT, email="sam@example.org", full_name="Sam Resident")
    html = sign_in(person).get("/account/").content.decode()
    assert "Sam Resident" in html
    assert "sam@example.org" in html
    assert "Resident" in html
    assert "Not needed for your role" in html
    assert 'href="/deal/pledge/yours/">Your pledges</a>' in html
    assert 'href="/account/password/"' in html
    assert 'href="/account/people/"' not in html


def test_administrator_account_page_links_to_people_and_shows_two_factor(sign_in, administrator):
    html = sign_in(administrator).get("/account/").content.decode()
    assert 'href="/account/people/"' in html
    assert "On, with an authenticator app (0 backup codes left)" in html


# Registering


def register(client: Client, **overrides):
    data = {
        "full_name": "Robin Resident",
        "email": "Robin@Example.org",
        "password1": "a long and unusual passphrase",
        "password2": "a long and unusual passphrase",
        **overrides,
    }
    return client.post("/account/register/", data)


def test_register_creates_a_signed_in_resident(client, db):
    response = register(client)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user = User.objects.get()
    assert user.email == "robin@example.org"
    assert user.full_name == "Robin Resident"
    assert user.check_password("a long and unusual passphrase")
    assert user.role_names == {Role.RESIDENT.label}
    assert not user.needs_two_factor
    assert signed_in_user_id(client) == str(user.pk)
    event = AuditEvent.objects.get(action="account.registered")
    assert event.actor == user
    assert event.details == {}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password1": "password", "password2": "password"}, "This password is too short."),
        (
            {"password1": "robin@example.org", "password2": "robin@example.org"},
            "The password is too similar to the email.",
        ),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "too common"),
        ({"password2": "something else entirely"}, "Enter the same password in both fields"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"full_name": ""}, "Enter your full name"),
    ],
)
def test_register_refuses_bad_input_with_the_error_summary(client, db, overrides, message):
    response = register(client, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Create an account" in html
    assert 'class="govuk-error-summary"' in html
    assert message in html
    assert User.objects.count() == 0
    assert signed_in_user_id(client) is None


def test_register_refuses_an_email_that_has_an_account(client, make_user):
    make_user(Role.RESIDENT, email="robin@example.org")
    response = register(client)
    assert response.status_code == 200
    assert "An account already exists for this email address" in response.content.decode()
    assert User.objects.count() == 1


# Passwords


def test_password_change(sign_in, resident):
    client = sign_in(resident)
    wrong = client.post(
        "/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "new passphrase 2025",
            "new_password2": "new passphrase 2025",
        },
    )
    assert wrong.status_code == 200
    assert "Your current password is not correct" in wrong.content.decode()
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "new passphrase 2025",
            "new_password2": "new passphrase 2025",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    resident.refresh_from_db()
    assert resident.check_password("new passphrase 2025")
    assert client.get("/account/").status_code == 200  # still signed in


RESET_LINK = re.compile(r"^(http://\S+)$", re.MULTILINE)


def test_password_reset_sends_one_working_link(client, make_user):
    person = make_user(Role.RESIDENT, email="forgetful@example.org")
    response = client.post("/account/password/reset/", {"email": "Forgetful@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgetful@example.org"]
    assert message.subject == "Reset your password for The Deal"
    [link] = RESET_LINK.findall(message.body)
    assert link.startswith(settings.OPENDEAL_BASE_URL + "/account/password/reset/")

    path = link.removeprefix(settings.OPENDEAL_BASE_URL)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "fresh passphrase 42", "new_password2": "fresh passphrase 42"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/account/password/reset/done/"
    person.refresh_from_db()
    assert person.check_password("fresh passphrase 42")

    # The link works once.
    reused = Client().get(path, follow=True)
    assert "This link does not work" in reused.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_answers_the_same(client, make_user):
    make_user(Role.RESIDENT, email="known@example.org")
    known = client.post("/account/password/reset/", {"email": "known@example.org"})
    unknown = Client().post("/account/password/reset/", {"email": "unknown@example.org"})
    assert len(mail.outbox) == 1
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])


def test_password_reset_with_a_tampered_link_is_refused(client, make_user):
    person = make_user(Role.RESIDENT)
    client.post("/account/password/reset/", {"email": person.email})
    [link] = RESET_LINK.findall(mail.outbox[0].body)
    tampered = link.removeprefix(settings.OPENDEAL_BASE_URL)[:-3] + "xx/"
    response = client.get(tampered, follow=True)
    assert "This link does not work" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_password_reset_with_a_malformed_email_shows_the_error_summary(client, db):
    response = client.post("/account/password/reset/", {"email": "nope"})
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
    assert len(mail.outbox) == 0
