"""Every pledge page, through HTTP: what it shows, what it refuses, and what it never changes."""

import csv
import io
import re
import time
import uuid
from unittest.mock import patch

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.deal import pledges
from opendeal.deal.models import Deal, Pledge, PledgeStatus

from .test_pledges import PledgeDeal, make_pledge, make_pledge_deal

PLEDGE_URL = "/deal/pledge/"


@pytest.fixture
def pledge_deal(db) -> PledgeDeal:
    return make_pledge_deal()


@pytest.fixture
def client_with_email(client, django_capture_on_commit_callbacks):
    """A client whose emails are sent as they would be once the request's transaction commits."""

    def post(url: str, data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response) -> str:
    """The page's own content, without the header and footer every page shares."""
    return re.search(r"<main .*</main>", text_of(response)).group(0)


def link_in(message, name: str) -> str:
    return re.search(rf"https?://[^/\s]+(/deal/pledge/{name}/[^/\s]+/)", message.body).group(1)


def pledge_rows() -> list[tuple]:
    return list(
        Pledge.objects.order_by("commitment__reference", "email").values_list(
            "commitment__reference", "email", "status", "postcode_district"
        )
    )


# The sign-up page


def test_the_pledge_page_lists_each_your_part_pledge_by_theme_with_its_total(client, pledge_deal):
    make_pledge(pledge_deal.walking, "a@example.org")
    make_pledge(pledge_deal.walking, "b@example.org")
    make_pledge(pledge_deal.recycling, "a@example.org")
    make_pledge(pledge_deal.recycling, "c@example.org", PledgeStatus.PENDING)

    response = client.get(PLEDGE_URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Make a pledge" in text
    assert "So far <strong>2</strong> people have made <strong>3</strong> pledges." in text
    # Grouped under their themes, in the Deal's order.
    health = text.index("Health and wellbeing</h2>")
    communities = text.index("Communities</h2>")
    assert health < text.index("Walk for 30 minutes a day") < communities
    assert communities < text.index("Volunteer in your neighbourhood")
    assert text.index("Volunteer in your neighbourhood") < text.index("Recycle more at home")
    totals = dict(
        re.findall(r'id="pledge-total-([0-9a-f-]+)">(\d+) (?:person has|people have) ', text)
    )
    assert totals == {
        str(pledge_deal.walking.public_id): "2",
        str(pledge_deal.volunteering.public_id): "0",
        str(pledge_deal.recycling.public_id): "1",
    }
    # Neither the council's own commitments nor a draft Deal's pledges can be chosen.
    assert "Open more leisure centres" not in text
    assert "A pledge still in draft" not in text
    assert 'name="email"' in text
    assert "@" not in main_of(response)


def test_the_pledge_page_without_a_published_deal(client, db):
    response = client.get(PLEDGE_URL)
    assert response.status_code == 200
    assert "There are no pledges to make yet." in text_of(response)
    assert "<form" not in main_of(response)


def test_an_empty_form_shows_the_error_summary(client, pledge_deal):
    response = client.post(PLEDGE_URL, {})

    assert response.status_code == 200
    text = text_of(response)
    assert "<title>Error: Make a pledge" in text
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in text
    assert '<a href="#id_commitments_0">Select at least one pledge</a>' in text
    assert '<a href="#id_email">Enter your email address</a>' in text
    assert 'id="id_commitments_0"' in text
    assert Pledge.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter an email address in the correct format, like name@"),
        ("postcode", "WN1", "Enter a real postcode, like WN1 1AA"),
        ("postcode", "ZZ99 9ZZZ", "Enter a real postcode, like WN1 1AA"),
        ("postcode", "WN1 1AA WN1 1AA", "Enter a real postcode, like WN1 1AA"),
        ("email", "a" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(client, pledge_deal, field, value, message):
    data = {
        "commitments": [str(pledge_deal.walking.public_id)],
        "email": "sam@example.org",
        "postcode": "",
        field: value,
    }
    response = client.post(PLEDGE_URL, data)

    assert response.status_code == 200
    assert f'<a href="#id_{field}">{message}' in text_of(response)
    # The value typed is shown back so it can be corrected, checkboxes stay ticked.
    assert f'value="{value}"' in text_of(response)
    assert f'value="{pledge_deal.walking.public_id}" aria-describedby' in text_of(response)
    assert Pledge.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("which", ["council_promise", "unpublished", "no such", "not a uuid"])
def test_a_commitment_that_cannot_be_pledged_is_refused(client, pledge_deal, which):
    chosen = {
        "council_promise": pledge_deal.council_promise.public_id,
        "unpublished": pledge_deal.unpublished.public_id,
        "no such": uuid.uuid4(),
        "not a uuid": "HW-Y1",
    }[which]
    response = client.post(
        PLEDGE_URL,
        {
            "commitments": [str(pledge_deal.walking.public_id), str(chosen)],
            "email": "sam@example.org",
        },
    )

    assert response.status_code == 200
    assert '<a href="#id_commitments_0">Select pledges from the list</a>' in text_of(response)
    assert Pledge.objects.count() == 0


def test_the_email_flow_makes_pending_pledges_and_sends_a_link(client_with_email, pledge_deal):
    response = client_with_email(
        PLEDGE_URL,
        {
            "commitments": [
                str(pledge_deal.walking.public_id),
                str(pledge_deal.volunteering.public_id),
            ],
            "email": " Sam@Example.org",
            "postcode": "wn5 9xx",
        },
    )

    assert response.status_code == 302
    assert response.url == "/deal/pledge/check-your-email/"
    assert pledge_rows() == [
        ("C-Y1", "sam@example.org", PledgeStatus.PENDING, "WN5"),
        ("HW-Y1", "sam@example.org", PledgeStatus.PENDING, "WN5"),
    ]
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
    assert "sessionid" not in response.cookies


def test_the_check_your_email_page_reveals_nothing(client, db):
    response = client.get("/deal/pledge/check-your-email/")

    assert response.status_code == 200
    text = text_of(response)
    assert '<h1 class="govuk-heading-xl">Check your email</h1>' in text
    assert "The link works for 7 days." in text
    assert "@" not in main_of(response)


def test_the_account_flow_makes_active_pledges_at_once(sign_in, resident, pledge_deal):
    client = sign_in(resident)

    response = client.post(
        PLEDGE_URL, {"commitments": [str(pledge_deal.recycling.public_id)], "postcode": ""}
    )

    assert response.status_code == 302
    assert response.url == "/deal/pledge/signed/"
    assert pledge_rows() == [("C-Y2", resident.email, PledgeStatus.ACTIVE, "")]
    assert Pledge.objects.get().user == resident
    assert mail.outbox == []
    panel = client.get(response.url)
    assert panel.status_code == 200
    assert "govuk-panel--confirmation" in text_of(panel)
    assert "<li>Recycle more at home</li>" in text_of(panel)
    # The form shows what this resident has already pledged, and asks for no email.
    form = text_of(client.get(PLEDGE_URL))
    assert form.count("You have pledged</strong>") == 1
    assert 'name="email"' not in form


def test_the_signed_page_needs_an_account(client, db):
    response = client.get("/deal/pledge/signed/")
    assert response.status_code == 302
    assert response.url.startswith("/account/sign-in/")


# Confirming


@pytest.fixture
def emailed_pledges(client_with_email, pledge_deal):
    client_with_email(
        PLEDGE_URL,
        {
            "commitments": [str(pledge_deal.walking.public_id)],
            "email": "sam@example.org",
            "postcode": "WN1 1AA",
        },
    )
    return mail.outbox[0]


def test_opening_the_confirmation_link_changes_nothing(client, emailed_pledges):
    url = link_in(emailed_pledges, "confirm")

    response = client.get(url)

    assert response.status_code == 200
    text = text_of(response)
    assert "<li>Walk for 30 minutes a day</li>" in text
    assert f'<form method="post" action="{url}"' in text
    assert ">Confirm your pledges</button>" in text
    assert pledge_rows() == [("HW-Y1", "sam@example.org", PledgeStatus.PENDING, "WN1")]


def test_confirming_makes_the_pledges_active_and_shows_the_panel(client, emailed_pledges):
    url = link_in(emailed_pledges, "confirm")

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == url + "done/"
    assert pledge_rows() == [("HW-Y1", "sam@example.org", PledgeStatus.ACTIVE, "WN1")]
    assert Pledge.objects.get().confirmed_at is not None
    panel = client.get(response.url)
    assert panel.status_code == 200
    assert '<h1 class="govuk-panel__title">Thank you for your pledge</h1>' in text_of(panel)
    assert "/deal/pledge/manage/" in text_of(panel)
    # Confirming again (a double click) counts nothing twice.
    assert client.post(url).status_code == 302
    assert pledges.pledge_totals(Deal.objects.get(slug="testborough")).total_pledges == 1


def test_the_done_page_before_confirming_goes_back_to_the_button(client, emailed_pledges):
    url = link_in(emailed_pledges, "confirm")
    response = client.get(url + "done/")
    assert (response.status_code, response.url) == (302, url)
    assert Pledge.objects.get().status == PledgeStatus.PENDING


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_confirmation_link_is_refused_and_changes_nothing(
    client, emailed_pledges, method
):
    token = link_in(emailed_pledges, "confirm").split("/")[-2]
    bad = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    events = AuditEvent.objects.count()

    for url in (f"/deal/pledge/confirm/{bad}/", "/deal/pledge/confirm/rubbish/"):
        response = getattr(client, method)(url)
        assert response.status_code == 400
        assert '<h1 class="govuk-heading-xl">This link does not work</h1>' in text_of(response)
        assert "Nothing has been changed." in text_of(response)

    assert pledge_rows() == [("HW-Y1", "sam@example.org", PledgeStatus.PENDING, "WN1")]
    assert AuditEvent.objects.count() == events


def test_an_expired_confirmation_link_is_refused(client, pledge_deal):
    [pledge] = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    with patch("time.time", return_value=time.time() - 8 * 24 * 60 * 60):
        token = pledges.make_confirmation_token([pledge])

    response = client.post(f"/deal/pledge/confirm/{token}/")

    assert response.status_code == 400
    text = text_of(response)
    assert '<h1 class="govuk-heading-xl">This link has expired</h1>' in text
    assert "Links in our emails work for 7 days." in text
    assert Pledge.objects.get().status == PledgeStatus.PENDING


# Your pledges, with an account


def test_your_pledges_needs_an_account(client, db):
    response = client.get("/deal/pledge/yours/")
    assert response.status_code == 302
    assert response.url == "/account/sign-in/?next=/deal/pledge/yours/"


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.PRACTITIONER])
def test_your_pledges_lists_only_your_own(sign_in, make_user, pledge_deal, role):
    me, someone_else = make_user(role), make_user(Role.RESIDENT)
    pledges.sign_pledges([pledge_deal.walking], None, user=me)
    pledges.sign_pledges([pledge_deal.recycling], None, user=someone_else)

    response = sign_in(me).get(reverse("deal:pledges-yours"))

    assert response.status_code == 200
    text = text_of(response)
    assert "Walk for 30 minutes a day" in text
    assert "Recycle more at home" not in text
    assert text.count(">Withdraw<span") == 1


def test_withdrawing_your_own_pledge(sign_in, resident, pledge_deal):
    [pledge] = pledges.sign_pledges([pledge_deal.walking], None, user=resident)
    client = sign_in(resident)
    url = f"/deal/pledge/yours/{pledge.public_id}/withdraw/"

    assert client.get(url).status_code == 405
    assert Pledge.objects.get().status == PledgeStatus.ACTIVE

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == f"/deal/pledge/yours/?withdrawn={pledge.public_id}"
    assert Pledge.objects.get().status == PledgeStatus.WITHDRAWN
    page = text_of(client.get(response.url))
    assert "You have withdrawn your pledge: Walk for 30 minutes a day" in page
    assert "You have no pledges at the moment." in page


def test_withdrawing_someone_elses_pledge_is_refused_and_changes_nothing(
    sign_in, client, make_user, pledge_deal
):
    owner, intruder = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    [theirs] = pledges.sign_pledges([pledge_deal.walking], None, user=owner)
    [emailed] = pledges.sign_pledges([pledge_deal.recycling], "sam@example.org")
    before = pledge_rows()

    for pledge in (theirs, emailed):
        url = f"/deal/pledge/yours/{pledge.public_id}/withdraw/"
        assert sign_in(intruder).post(url).status_code == 403
        anonymous = client.post(url)
        assert (anonymous.status_code, anonymous.url.split("?")[0]) == (302, "/account/sign-in/")
    assert sign_in(intruder).post(f"/deal/pledge/yours/{uuid.uuid4()}/withdraw/").status_code == 404

    assert pledge_rows() == before
    assert not AuditEvent.objects.filter(action="deal.pledge.withdrawn").exists()


# Managing pledges made with only an email address


def test_asking_for_a_manage_link_does_not_reveal_whether_an_address_has_pledged(
    client_with_email, client, pledge_deal
):
    pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    assert client.get("/deal/pledge/manage/").status_code == 200

    known = client_with_email("/deal/pledge/manage/", {"email": "SAM@example.org "})
    unknown = client_with_email("/deal/pledge/manage/", {"email": "nobody@example.org"})

    assert (known.status_code, known.url) == (302, "/deal/pledge/manage/sent/")
    assert (unknown.status_code, unknown.url) == (302, "/deal/pledge/manage/sent/")
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
    sent = client.get("/deal/pledge/manage/sent/")
    assert "If that address has made pledges, we have emailed it a link" in text_of(sent)


def test_asking_for_a_manage_link_needs_a_valid_address(client, pledge_deal):
    for data, message in (
        ({}, "Enter your email address"),
        ({"email": "sam@"}, "Enter an email address in the correct format"),
    ):
        response = client.post("/deal/pledge/manage/", data)
        assert response.status_code == 200
        assert f'<a href="#id_email">{message}' in text_of(response)
    assert mail.outbox == []


def test_the_manage_link_lists_and_withdraws_pledges_made_with_that_address(
    client, client_with_email, pledge_deal
):
    pledges.sign_pledges([pledge_deal.walking, pledge_deal.recycling], "sam@example.org")
    make_pledge(pledge_deal.volunteering, "alex@example.org")
    client_with_email("/deal/pledge/manage/", {"email": "sam@example.org"})
    url = link_in(mail.outbox[0], "manage")

    page = client.get(url)

    assert page.status_code == 200
    text = text_of(page)
    assert "Walk for 30 minutes a day" in text
    assert "Recycle more at home" in text
    assert "Volunteer in your neighbourhood" not in text
    walking = Pledge.objects.get(commitment=pledge_deal.walking)
    response = client.post(f"{url}withdraw/{walking.public_id}/")
    assert (response.status_code, response.url) == (302, f"{url}?withdrawn={walking.public_id}")
    assert pledge_rows() == [
        ("C-Y1", "alex@example.org", PledgeStatus.ACTIVE, ""),
        ("C-Y2", "sam@example.org", PledgeStatus.PENDING, ""),
        ("HW-Y1", "sam@example.org", PledgeStatus.WITHDRAWN, ""),
    ]
    assert "You have withdrawn your pledge: Walk for 30 minutes a day" in text_of(
        client.get(response.url)
    )


def test_a_manage_link_cannot_withdraw_another_addresses_pledge(client, pledge_deal):
    [sams] = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    alexs = make_pledge(pledge_deal.volunteering, "alex@example.org")
    token = pledges.make_manage_token(sams)
    before = pledge_rows()

    response = client.post(f"/deal/pledge/manage/{token}/withdraw/{alexs.public_id}/")

    assert response.status_code == 403
    assert pledge_rows() == before


def test_a_tampered_manage_link_is_refused(client, pledge_deal):
    [pledge] = pledges.sign_pledges([pledge_deal.walking], "sam@example.org")
    token = pledges.make_manage_token(pledge)
    bad = token[:-2] + ("xy" if not token.endswith("xy") else "yz")
    # A confirmation token is signed for a different purpose and does not work here.
    confirmation = pledges.make_confirmation_token([pledge])

    for url in (
        f"/deal/pledge/manage/{bad}/",
        f"/deal/pledge/manage/{confirmation}/",
    ):
        assert client.get(url).status_code == 400
    response = client.post(f"/deal/pledge/manage/{bad}/withdraw/{pledge.public_id}/")
    assert response.status_code == 400
    assert Pledge.objects.get().status == PledgeStatus.PENDING


# Public totals


@pytest.fixture
def counted(pledge_deal) -> PledgeDeal:
    make_pledge(pledge_deal.walking, "a@example.org", district="WN1")
    make_pledge(pledge_deal.recycling, "a@example.org", district="WN1")
    make_pledge(pledge_deal.walking, "b@example.org", district="M29")
    make_pledge(pledge_deal.walking, "c@example.org")
    make_pledge(pledge_deal.volunteering, "d@example.org", PledgeStatus.PENDING, "WN2")
    make_pledge(pledge_deal.volunteering, "e@example.org", PledgeStatus.WITHDRAWN, "WN3")
    return pledge_deal


def test_the_totals_page_shows_charts_and_tables_of_the_same_figures(client, counted):
    response = client.get("/deal/pledge/totals/")

    assert response.status_code == 200
    text = text_of(response)
    assert '<span class="opendeal-big-number" id="total-pledges">4</span>' in text
    assert '<span class="opendeal-big-number" id="total-people">3</span>' in text
    assert text.count('role="img"') == 2
    assert '<title id="pledges-by-commitment-title">Pledges made, by pledge</title>' in text
    assert 'style="' not in text
    by_pledge = re.findall(
        r'<td class="govuk-table__cell">([^<]+)</td> <th scope="row" class="govuk-table__header">'
        r'([^<]+)</th> <td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        text,
    )
    assert by_pledge == [
        ("HW-Y1", "Walk for 30 minutes a day", "3"),
        ("C-Y1", "Volunteer in your neighbourhood", "0"),
        ("C-Y2", "Recycle more at home", "1"),
    ]
    by_district = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th> '
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        text.split('id="totals-by-district"')[1],
    )
    assert by_district == [("WN1", "2"), ("M29", "1"), ("Not given", "1")]
    # Nothing personal, and nothing not yet confirmed or withdrawn.
    assert "@" not in main_of(response)
    assert "WN2" not in text and "WN3" not in text


def test_the_totals_csv_has_the_same_figures(client, counted):
    response = client.get("/deal/pledge/totals.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pledge-totals.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["breakdown", "reference", "name", "measure", "count"],
        ["pledge", "HW-Y1", "Walk for 30 minutes a day", "active pledges", "3"],
        ["pledge", "C-Y1", "Volunteer in your neighbourhood", "active pledges", "0"],
        ["pledge", "C-Y2", "Recycle more at home", "active pledges", "1"],
        ["postcode district", "WN1", "WN1", "active pledges", "2"],
        ["postcode district", "M29", "M29", "active pledges", "1"],
        ["postcode district", "Not given", "Not given", "active pledges", "1"],
        ["all", "", "All pledges", "active pledges", "4"],
        ["all", "", "All pledges", "people", "3"],
    ]


def test_totals_without_a_published_deal(client, db):
    assert "There are no pledges to count yet." in text_of(client.get("/deal/pledge/totals/"))
    assert client.get("/deal/pledge/totals.csv").status_code == 404


def test_a_title_is_not_read_as_a_spreadsheet_formula(client, pledge_deal):
    pledge_deal.walking.title = '=HYPERLINK("http://example.org")'
    pledge_deal.walking.save()
    rows = list(csv.reader(io.StringIO(client.get("/deal/pledge/totals.csv").content.decode())))
    assert rows[1][2] == '\'=HYPERLINK("http://example.org")'


def test_public_pages_set_no_session_cookie(emailed_pledges):
    client = Client()
    confirm = link_in(emailed_pledges, "confirm")
    for url in (PLEDGE_URL, "/deal/pledge/totals/", "/deal/pledge/manage/", confirm):
        response = client.get(url)
        assert "sessionid" not in response.cookies, url
    assert "sessionid" not in client.post(confirm).cookies


@pytest.mark.parametrize("url", [PLEDGE_URL, "/deal/pledge/totals/"])
def test_public_pages_take_a_fixed_number_of_queries(
    client, counted, url, django_assert_num_queries
):
    # The Deal, its commitments' ids, two aggregates, and the commitments to list.
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
