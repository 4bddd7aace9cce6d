"""The practitioner's work through the pages and the actions: people, conversations that start
from strengths, connections from the directory, formal support and wellbeing; and the clear
refusals of bad input."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from opendeal.care import access, services
from opendeal.care.models import (
    Connection,
    Conversation,
    HeardNeed,
    Ons4Response,
    Person,
    SupportPackage,
    SwemwbsResponse,
)
from opendeal.care.scoring import SWEMWBS_COPYRIGHT, SWEMWBS_ITEMS

from .helpers import make_service, make_term

TODAY = timezone.localdate
TOMORROW = lambda: timezone.localdate() + datetime.timedelta(days=1)  # noqa: E731


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def day(value: datetime.date) -> str:
    return f"{value.day}/{value.month}/{value.year}"


# People --------------------------------------------------------------------------------------


def test_adding_a_person_places_their_postcode_and_keeps_tidy_values(world, sign_in):
    response = sign_in(world.practitioner).post(
        reverse("care:person-create"),
        {
            "team": world.north.pk,
            "given_name": " Joan ",
            "family_name": "Fairhurst",
            "date_of_birth": "2/3/1950",
            "postcode": "wn59rn",
            "phone": "(0161) 496 0999",
            "nhs_number": "401 023 2137",
            "lawful_basis": "e_public_task",
            "special_category_condition": "h_health_social_care",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(family_name="Fairhurst")
    assert (person.given_name, person.postcode, person.lsoa21_code, person.ward_code) == (
        "Joan",
        "WN5 9RN",
        "E01006345",
        "E05015627",
    )
    assert (person.phone, person.nhs_number, person.team) == (
        "+441614960999",
        "4010232137",
        world.north,
    )


def test_a_real_postcode_we_cannot_place_is_kept_without_a_neighbourhood(world):
    person = services.update_person(world.practitioner, world.person, postcode="m1 1ae")
    assert (person.postcode, person.lsoa21_code, person.ward_code) == ("M1 1AE", "", "")


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("nhs_number", "943 476 5918", "This is not a valid NHS number"),
        ("nhs_number", "12345", "Enter an NHS number of 10 digits"),
        ("phone", "12345", "Enter a UK phone number"),
        ("postcode", "not a postcode", "Enter a real postcode"),
        ("date_of_birth", "TOMORROW", "Date of birth must be today or in the past"),
        ("consent_recorded_on", "TOMORROW", "must be today or in the past"),
    ],
)
def test_bad_details_are_refused_beside_their_field_and_nothing_changes(
    field, value, message, world, sign_in
):
    if value == "TOMORROW":
        value = day(TOMORROW())
    data = {
        "given_name": "Margaret",
        "family_name": "Testperson",
        "lawful_basis": "e_public_task",
        "special_category_condition": "h_health_social_care",
        field: value,
    }
    url = reverse("care:person-edit", args=[world.person.public_id])
    response = sign_in(world.practitioner).post(url, data)
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page
    assert message in page
    assert f'href="#id_{field}"' in page
    person = Person.objects.get(pk=world.person.pk)
    assert (person.nhs_number, person.phone, person.postcode) == (
        "9434765919",
        "+441614960123",
        "WN5 9RN",
    )


def test_people_are_added_only_to_ones_own_teams(world):
    with pytest.raises(PermissionDenied):
        services.create_person(world.practitioner, world.south, given_name="Not allowed")
    assert not Person.objects.filter(given_name="Not allowed").exists()


def test_sharing_lets_one_colleague_see_the_record_until_it_is_unshared(world, sign_in):
    url = reverse("care:person", args=[world.person.public_id])
    assert sign_in(world.other_practitioner).get(url).status_code == 404
    share_url = reverse("care:share", args=[world.person.public_id])
    response = sign_in(world.manager).post(share_url, {"email": world.other_practitioner.email})
    assert response.status_code == 302
    assert sign_in(world.other_practitioner).get(url).status_code == 200
    services.unshare_person(world.manager, world.person, world.other_practitioner)
    assert sign_in(world.other_practitioner).get(url).status_code == 404


def test_records_are_shared_only_with_practitioners_and_managers(world, make_user, sign_in):
    from opendeal.core.roles import Role

    analyst = make_user(Role.ANALYST)
    share_url = reverse("care:share", args=[world.person.public_id])
    response = sign_in(world.manager).post(share_url, {"email": analyst.email})
    assert "Share records only with practitioners and team managers" in text_of(response)
    assert not world.person.shares.exists()
    with pytest.raises(PermissionDenied):
        services.share_person(world.practitioner, world.person, world.other_practitioner)


# Conversations -------------------------------------------------------------------------------


def test_the_conversation_form_asks_about_strengths_before_needs(world, sign_in):
    page = text_of(
        sign_in(world.practitioner).get(
            reverse("care:conversation-create", args=[world.person.public_id])
        )
    )
    order = [
        page.index(label)
        for label in (
            "What are they good at",
            "Who is around them?",
            "What matters to them?",
            "What are they interested in?",
            "What would they like help with?",
            "Needs heard",
            "How did the conversation end?",
        )
    ]
    assert order == sorted(order)


def test_recording_a_conversation_tags_needs_by_neighbourhood(world, sign_in):
    transport = make_term("Transport")
    response = sign_in(world.practitioner).post(
        reverse("care:conversation-create", args=[world.person.public_id]),
        {
            "kind": "build_a_good_life",
            "held_on": day(TODAY()),
            "method": "phone",
            "strengths_heard": "Drives",
            "needs_heard": "Getting to the hospital",
            "needs": [str(transport.id)],
            "interests": [str(world.term.id)],
            "outcome": "information_and_advice",
            "follow_up_on": day(TODAY() + datetime.timedelta(days=30)),
        },
    )
    conversation = Conversation.objects.get(strengths_heard="Drives")
    assert response["Location"] == reverse("care:conversation", args=[conversation.public_id])
    assert (conversation.team, conversation.practitioner, conversation.lsoa21_code) == (
        world.north,
        world.practitioner,
        "E01006345",
    )
    heard = HeardNeed.objects.filter(conversation=conversation).order_by("kind")
    assert [(h.kind, h.taxonomy_term, h.ward_code, h.heard_on) for h in heard] == [
        ("interest", world.term, "E05015627", TODAY()),
        ("need", transport, "E05015627", TODAY()),
    ]


def test_a_conversation_in_the_future_is_refused(world, sign_in):
    response = sign_in(world.practitioner).post(
        reverse("care:conversation-create", args=[world.person.public_id]),
        {
            "kind": "listen_and_connect",
            "held_on": day(TOMORROW()),
            "method": "phone",
            "outcome": "no_further_action",
        },
    )
    assert response.status_code == 200
    assert "The date of the conversation must be today or in the past" in text_of(response)
    assert Conversation.objects.filter(person=world.person).count() == 1


def test_every_conversation_ends_with_an_outcome(world, sign_in):
    response = sign_in(world.practitioner).post(
        reverse("care:conversation-create", args=[world.person.public_id]),
        {"kind": "listen_and_connect", "held_on": day(TODAY()), "method": "phone"},
    )
    assert "Choose how the conversation ended" in text_of(response)
    assert Conversation.objects.filter(person=world.person).count() == 1


def test_a_follow_up_links_to_the_conversation_it_follows(world, sign_in):
    url = reverse("care:conversation-create", args=[world.person.public_id])
    response = sign_in(world.practitioner).post(
        f"{url}?follows={world.conversation.public_id}",
        {
            "kind": "listen_and_connect",
            "held_on": day(TODAY()),
            "method": "phone",
            "outcome": "no_further_action",
        },
    )
    assert response.status_code == 302
    follow_up = Conversation.objects.get(person=world.person, follows_up__isnull=False)
    assert follow_up.follows_up == world.conversation
    with pytest.raises(ValidationError):
        services.record_conversation(
            world.other_practitioner,
            world.south_person,
            follows_up=world.conversation,
            kind="listen_and_connect",
            held_on=TODAY(),
            outcome="no_further_action",
        )


def test_actions_are_agreed_with_an_owner_and_a_date_and_done_not_in_the_future(world):
    with pytest.raises(ValidationError):
        services.complete_action(world.practitioner, world.action, TOMORROW())
    services.complete_action(world.practitioner, world.action, TODAY())
    world.action.refresh_from_db()
    assert world.action.done_on == TODAY()


# Connections ----------------------------------------------------------------------------------


def test_searching_the_directory_from_a_conversation_and_connecting(world, sign_in):
    far = make_service("Allotment society far away", world.term, "53.700000", "-2.300000")
    client = sign_in(world.practitioner)
    url = reverse("care:connect", args=[world.conversation.public_id])
    near_only = text_of(client.get(url, {"term": world.term.id, "within": "2000"}))
    assert "Allotment club" in near_only
    assert "Allotment society far away" not in near_only
    assert "metres from their home" in near_only
    by_words = text_of(client.get(url, {"text": "allotment society"}))
    assert "Allotment society far away" in by_words
    response = client.post(url, {"service": str(far.id)})
    assert response.status_code == 302
    connection = Connection.objects.get(service=far)
    assert (connection.person, connection.conversation, connection.status) == (
        world.person,
        world.conversation,
        "suggested",
    )


def test_only_running_services_can_be_connected(world):
    world.service.status = "inactive"
    world.service.save()
    with pytest.raises(ValidationError):
        services.connect_to_service(world.practitioner, world.conversation, world.service)


def test_connection_statuses_record_when_they_first_attended(world):
    services.change_connection_status(world.practitioner, world.connection, "contacted", TODAY())
    services.change_connection_status(world.practitioner, world.connection, "attended", TODAY())
    services.change_connection_status(world.practitioner, world.connection, "stopped", TODAY())
    world.connection.refresh_from_db()
    assert (world.connection.status, world.connection.first_attended_on) == ("stopped", TODAY())
    with pytest.raises(ValidationError):
        services.change_connection_status(
            world.practitioner, world.connection, "attended", TOMORROW()
        )
    with pytest.raises(ValidationError):
        services.change_connection_status(world.practitioner, world.connection, "lost", TODAY())


# Formal support -------------------------------------------------------------------------------


def test_packages_keep_pence_exact_weekly_costs_and_cost_a_period(world):
    package = services.add_package(
        world.practitioner,
        world.person,
        kind="long_term",
        setting="home_care",
        weekly_cost=Decimal("350.00"),
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 1, 14),
    )
    assert package.cost_between(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)) == Decimal(
        "700.00"
    )
    assert package.cost_between(datetime.date(2026, 1, 8), datetime.date(2026, 1, 10)) == Decimal(
        "150.00"
    )
    assert package.cost_between(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)) == Decimal(
        "0.00"
    )


def test_a_package_that_ends_before_it_starts_is_refused(world, sign_in):
    response = sign_in(world.practitioner).post(
        reverse("care:package-create", args=[world.person.public_id]),
        {
            "kind": "reablement",
            "setting": "home_care",
            "weekly_cost": "120.255",
            "starts_on": "10/1/2026",
            "ends_on": "1/1/2026",
        },
    )
    assert "Enter the weekly cost in pounds and pence" in text_of(response)
    response = sign_in(world.practitioner).post(
        reverse("care:package-create", args=[world.person.public_id]),
        {
            "kind": "reablement",
            "setting": "home_care",
            "weekly_cost": "120.25",
            "starts_on": "10/1/2026",
            "ends_on": "1/1/2026",
        },
    )
    assert "The package must end on or after the day it starts" in text_of(response)
    assert SupportPackage.objects.filter(person=world.person).count() == 1


# Wellbeing ------------------------------------------------------------------------------------


def test_a_complete_swemwbs_is_scored_and_charted_with_its_copyright(world, sign_in):
    client = sign_in(world.practitioner)
    data = {"recorded_on": day(TODAY())} | {name: "4" for name, _ in SWEMWBS_ITEMS}
    response = client.post(reverse("care:swemwbs-create", args=[world.person.public_id]), data)
    assert response.status_code == 302
    latest = SwemwbsResponse.objects.filter(person=world.person).order_by("-pk").first()
    assert (latest.raw_score, latest.metric_score) == (28, Decimal("25.03"))
    page = text_of(client.get(reverse("care:wellbeing", args=[world.person.public_id])))
    assert SWEMWBS_COPYRIGHT in page
    assert "From 19.25 to 25.03: a change of 5.78" in page
    assert 'id="swemwbs-chart-title"' in page


def test_an_incomplete_swemwbs_is_refused_with_no_score(world, sign_in):
    data = {"recorded_on": day(TODAY())} | {name: "4" for name, _ in SWEMWBS_ITEMS[:6]}
    response = sign_in(world.practitioner).post(
        reverse("care:swemwbs-create", args=[world.person.public_id]), data
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "SWEMWBS has no score unless all 7 are answered" in page
    assert SWEMWBS_COPYRIGHT in page
    assert SwemwbsResponse.objects.filter(person=world.person).count() == 1


def test_wellbeing_answered_in_the_future_is_refused(world):
    answers = {name: 3 for name, _ in SWEMWBS_ITEMS}
    with pytest.raises(ValidationError, match="today or in the past"):
        services.record_swemwbs(world.practitioner, world.person, TOMORROW(), answers)
    with pytest.raises(ValidationError):
        services.record_ons4(
            world.practitioner,
            world.person,
            TODAY(),
            {"life_satisfaction": 11, "worthwhile": 5, "happiness": 5, "anxiety": 5},
        )
    assert not Ons4Response.objects.exists()


def test_ons4_answers_over_time(world, sign_in):
    client = sign_in(world.practitioner)
    url = reverse("care:ons4-create", args=[world.person.public_id])
    for when, level in ((TODAY() - datetime.timedelta(days=90), 4), (TODAY(), 7)):
        data = {
            "recorded_on": day(when),
            "life_satisfaction": level,
            "worthwhile": level,
            "happiness": level,
            "anxiety": 10 - level,
        }
        assert client.post(url, data).status_code == 302
    assert list(
        Ons4Response.objects.filter(person=world.person).values_list("happiness", flat=True)
    ) == [4, 7]
    page = text_of(client.get(reverse("care:wellbeing", args=[world.person.public_id])))
    assert 'id="ons4-anxiety-title"' in page


def test_the_api_gives_the_record_to_those_who_may_see_it(world, sign_in):
    client = sign_in(world.practitioner)
    record = client.get(f"/api/care/people/{world.person.public_id}").json()
    assert (record["nhs_number"], record["lsoa21_code"], record["team"]) == (
        "9434765919",
        "E01006345",
        "North team",
    )
    conversations = client.get(f"/api/care/people/{world.person.public_id}/conversations").json()
    assert conversations[0]["needs"] == [str(world.term.id)]
    wellbeing = client.get(f"/api/care/people/{world.person.public_id}/wellbeing").json()
    assert wellbeing["swemwbs"][0]["raw_score"] == 21
    assert access.trail(world.person).filter(action="care.person.viewed").count() == 3
    malformed = client.get("/api/care/people/not-a-uuid")
    assert malformed.status_code == 422
    assert malformed["Content-Type"] == "application/problem+json"
