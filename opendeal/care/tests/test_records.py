"""Subject access, erasure, retention, the pseudonymised extract and the connections export."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from opendeal.care import erasure, services
from opendeal.care.extract import EXTRACT_COLUMNS, pseudonym, pseudonymised_extract
from opendeal.care.models import (
    AgreedAction,
    Connection,
    Conversation,
    HeardNeed,
    Person,
    Relationship,
    SupportPackage,
    SwemwbsResponse,
)
from opendeal.care.subject_access import subject_access_document
from opendeal.core.models import AuditEvent

IDENTIFIERS = (
    "Margaret",
    "Testperson",
    "9434765919",
    "943 476 5919",
    "WN5 9RN",
    "1 Test Street",
    "+441614960123",
    "Karen",
    "Knows everyone",
    "Her allotment",
)


def test_subject_access_holds_everything_about_the_person(world):
    document = subject_access_document(world.person)
    json.dumps(document)  # plain JSON types only
    assert document["person"]["given_name"] == "Margaret"
    assert document["person"]["nhs_number"] == "943 476 5919"
    assert document["person"]["lsoa21_code"] == "E01006345"
    assert document["person"]["phone"] == "0161 496 0123"
    assert [item["name"] for item in document["people_around_them"]] == ["Karen"]
    (conversation,) = document["conversations"]
    assert conversation["strengths_heard"] == "Knows everyone"
    assert conversation["needs_and_interests"] == [
        {"kind": "Interest", "term": "Gardening"},
        {"kind": "Need", "term": "Gardening"},
    ]
    assert conversation["agreed_actions"][0]["description"] == "Visit the allotment club"
    assert document["connections"][0]["snomed_ct"] == {
        "code": "871731000000106",
        "term": "Referral to social prescribing service",
    }
    assert document["support_packages"][0]["weekly_cost"] == "245.50"
    assert document["wellbeing"]["swemwbs"][0]["metric_score"] == "19.25"
    assert "University of Warwick" in document["wellbeing"]["swemwbs_copyright"]
    assert {event["what"] for event in document["who_saw_or_changed_the_record"]} >= {
        "Started the record",
        "Recorded a conversation",
    }


def test_subject_access_as_json_and_as_a_printable_page(world, sign_in):
    client = sign_in(world.manager)
    response = client.get(reverse("care:subject-access-json", args=[world.person.public_id]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.json()["person"]["family_name"] == "Testperson"
    page = client.get(reverse("care:subject-access", args=[world.person.public_id]))
    text = page.content.decode()
    for expected in ("Margaret", "943 476 5919", "Karen", "Allotment club", "871731000000106"):
        assert expected in text


def test_erasure_removes_everything_identifying_and_keeps_the_figures(world):
    audit_before = AuditEvent.objects.count()
    erasure.erase_person(world.manager, world.person, reason="request")
    person = Person.objects.get(pk=world.person.pk)
    assert person.erased_at is not None
    assert (person.given_name, person.family_name, person.nhs_number, person.postcode) == (
        "",
        "",
        "",
        "",
    )
    assert person.date_of_birth is None and person.phone == "" and person.strengths == ""
    assert not Relationship.objects.filter(person=person).exists()
    assert not AgreedAction.objects.filter(conversation__person=person).exists()
    conversation = Conversation.objects.get(pk=world.conversation.pk)
    assert conversation.strengths_heard == ""
    # What the borough's figures count stays.
    assert (conversation.held_on, conversation.outcome, conversation.lsoa21_code) == (
        world.conversation.held_on,
        "community_connection",
        "E01006345",
    )
    assert HeardNeed.objects.filter(person=person).count() == 2
    assert Connection.objects.filter(person=person).count() == 1
    assert SupportPackage.objects.get(person=person).weekly_cost == Decimal("245.50")
    assert SwemwbsResponse.objects.filter(person=person).count() == 1
    # The audit trail is kept, and grows by the erasure.
    assert AuditEvent.objects.count() == audit_before + 1
    document = json.dumps(subject_access_document(person))
    for identifier in IDENTIFIERS:
        assert identifier not in document


def test_an_erased_record_is_no_ones_to_see(world, sign_in):
    erasure.erase_person(world.manager, world.person, reason="request")
    for user in (world.practitioner, world.manager):
        response = sign_in(user).get(reverse("care:person", args=[world.person.public_id]))
        assert response.status_code == 404


def test_only_a_manager_of_the_team_erases(world, sign_in):
    with pytest.raises(PermissionDenied):
        erasure.erase_person(world.practitioner, world.person, reason="request")
    assert Person.objects.get(pk=world.person.pk).erased_at is None
    url = reverse("care:erase", args=[world.person.public_id])
    refused = sign_in(world.manager).post(url, {})
    assert refused.status_code == 200
    assert "Confirm that you understand" in refused.content.decode()
    assert Person.objects.get(pk=world.person.pk).erased_at is None
    done = sign_in(world.manager).post(url, {"confirm": "on"})
    assert done.status_code == 302
    assert Person.objects.get(pk=world.person.pk).erased_at is not None


def test_retention_erases_only_records_closed_longer_than_the_setting(world, settings):
    settings.OPENDEAL_CARE_RETENTION_YEARS = 8
    today = datetime.date(2026, 11, 26)
    services.close_person(world.manager, world.person, datetime.date(2018, 11, 26))
    erasure.erase_expired(today - datetime.timedelta(days=1))
    assert Person.objects.get(pk=world.person.pk).erased_at is None  # one day short
    assert erasure.erase_expired(today) == 1
    assert Person.objects.get(pk=world.person.pk).erased_at is not None
    assert Person.objects.get(pk=world.south_person.pk).erased_at is None  # still open
    assert erasure.erase_expired(today) == 0


def test_the_housekeeping_command_reports_what_it_erased(world, settings):
    settings.OPENDEAL_CARE_RETENTION_YEARS = 2
    services.close_person(world.manager, world.person, timezone.localdate().replace(year=2020))
    out = io.StringIO()
    call_command("care_housekeeping", stdout=out)
    assert out.getvalue().startswith("Erased 1 record closed on or before")
    assert Person.objects.get(pk=world.person.pk).erased_at is not None


def test_retention_cutoff_on_29_february():
    assert erasure.retention_cutoff(datetime.date(2028, 2, 29)) == datetime.date(2020, 2, 28)


def test_the_extract_has_no_identifiers_and_stable_pseudonyms(world, settings):
    settings.OPENDEAL_PSEUDONYMISATION_KEY = "test-key"
    rows = list(pseudonymised_extract())
    assert sorted(row["record_type"] for row in rows) == [
        "connection",
        "conversation",
        "package",
        "swemwbs",
    ]
    text = json.dumps(rows)
    for identifier in IDENTIFIERS:
        assert identifier not in text
    assert str(world.person.public_id) not in text
    assert str(world.conversation.public_id) not in text
    people = {row["person_pseudonym"] for row in rows}
    assert people == {pseudonym("person", world.person.public_id)}
    conversation = next(row for row in rows if row["record_type"] == "conversation")
    assert conversation["age_band"] == "85+"
    assert conversation["lsoa21_code"] == "E01006345"
    assert conversation["taxonomy_term_ids"] == f"interest:{world.term.id} need:{world.term.id}"
    assert set(conversation) == set(EXTRACT_COLUMNS)
    # The same id under another key gives another pseudonym: without the key, no linking back.
    settings.OPENDEAL_PSEUDONYMISATION_KEY = "another-key"
    assert pseudonym("person", world.person.public_id) not in people
    assert len(pseudonym("person", world.person.public_id)) == 64


def test_the_extract_download_is_csv_and_audited(world, make_user, sign_in):
    from opendeal.core.roles import Role

    analyst = make_user(Role.ANALYST)
    response = sign_in(analyst).get(reverse("care:extract-csv"))
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 4
    assert list(rows[0]) == EXTRACT_COLUMNS
    for identifier in IDENTIFIERS:
        assert identifier not in body
    assert AuditEvent.objects.filter(actor=analyst, action="care.extract.downloaded").count() == 1


def test_the_connections_export_carries_snomed_codes_for_the_managers_teams(world, sign_in):
    declined = Connection.objects.create(
        person=world.person,
        service=world.service,
        status="declined",
        made_on=timezone.localdate(),
        status_changed_on=timezone.localdate(),
    )
    response = sign_in(world.manager).get(reverse("care:connections-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["connection_id"], row["snomed_ct_code"]) for row in rows] == [
        (str(world.connection.public_id), "871731000000106"),
        (str(declined.public_id), "871711000000103"),
    ]
    assert rows[1]["snomed_ct_term"] == "Social prescribing declined"
    assert rows[0]["nhs_number"] == "9434765919"
    exported = AuditEvent.objects.get(action="care.connections.exported")
    assert exported.object_id == str(world.person.public_id)
    assert exported.details == {"connections": 2}
    # Practitioners cannot export.
    assert sign_in(world.practitioner).get(reverse("care:connections-csv")).status_code == 403
