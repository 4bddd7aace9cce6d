"""The demo's adult social care: fictional people, labelled so, at the demo directory's real
Wigan postcodes, connected to its services; loaded once however often it runs."""

from django.db.models import Count

from opendeal.care import access
from opendeal.care.demo import load_demo_care
from opendeal.care.models import Connection, HeardNeed, Person, SwemwbsResponse
from opendeal.care.scoring import conversion_table
from opendeal.care.validation import clean_nhs_number, clean_uk_phone
from opendeal.core.demo import demo_email, load_demo_accounts
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.directory.demo import PLACES, load_demo_directory


def test_the_demo_loads_fictional_people_once(db):
    assert load_demo_care().startswith("Care: not loaded")
    load_demo_accounts()
    load_demo_directory()
    report = load_demo_care()
    assert report.startswith("Care: 60 fictional people added (60 in all) in 3 teams")
    counts = (Person.objects.count(), Connection.objects.count(), SwemwbsResponse.objects.count())
    assert load_demo_care().startswith("Care: 0 fictional people added (60 in all)")
    assert (
        Person.objects.count(),
        Connection.objects.count(),
        SwemwbsResponse.objects.count(),
    ) == (counts)

    people = Person.objects.all()
    assert all(person.is_fictional for person in people)
    assert all(person.display_name.endswith("– fictional") for person in people)
    assert {person.postcode for person in people} <= set(PLACES)
    assert all(person.lsoa21_code.startswith("E01") for person in people)
    for person in people:
        assert clean_nhs_number(person.nhs_number) == person.nhs_number
        assert person.nhs_number.startswith("999")
        for relationship in person.relationships.all():
            assert clean_uk_phone(relationship.phone) == relationship.phone
    table = conversion_table()
    assert all(item.metric_score == table[item.raw_score] for item in SwemwbsResponse.objects.all())
    # Every connection is to one of the demo directory's services.
    assert not Connection.objects.exclude(service__description__contains="Fictional").exists()
    # Needs are tagged in neighbourhoods, with at least one heard more in Leigh than nearby
    # services offer (transit), for the gap map.
    assert HeardNeed.objects.filter(taxonomy_term__name="Transit").exclude(lsoa21_code="").exists()

    practitioner = User.objects.get(email=demo_email(Role.PRACTITIONER))
    manager = User.objects.get(email=demo_email(Role.TEAM_MANAGER))
    seen_by_practitioner = access.visible_people(practitioner)
    seen_by_manager = access.visible_people(manager)
    assert 0 < seen_by_practitioner.count() < seen_by_manager.count() < people.count()
    teams = seen_by_manager.values("team__name").annotate(n=Count("pk"))
    assert {row["team__name"] for row in teams} == {
        "Wigan Central neighbourhood team (demo)",
        "Leigh and Atherton neighbourhood team (demo)",
    }
