"""The Open Referral UK API at /oruk/: bodies valid against the standard, parameters combined
with AND, bad input a 400 problem, and a fixed number of queries per page."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker

from opendeal.directory import models as directory
from opendeal.directory.oruk.importer import import_package
from opendeal.directory.tests.listings import (
    LEIGH,
    MANCHESTER,
    STANDISH,
    WIGAN,
    make_service,
    make_term,
    tag,
    weekly,
)
from opendeal.directory.tests.oruk_files import (
    CSV_EXAMPLE_DIR,
    EXAMPLES_DIR,
    ORUK_DIR,
    SCHEMA_DIR,
    load_json,
    schema_registry,
)
from opendeal.geography.models import Postcode

pytestmark = pytest.mark.django_db

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def validate(schema_name: str, document) -> None:
    Draft202012Validator(
        load_json(SCHEMA_DIR / schema_name),
        registry=schema_registry(),
        format_checker=FormatChecker(),
    ).validate(document)


def validate_page(document: dict, item_schema: str) -> None:
    """The profile's Page object (every field, as our pages always carry them), then each item."""
    page_schema = load_json(ORUK_DIR / "openapi30-uk-profile.json")["components"]["schemas"]["Page"]
    Draft202012Validator({**page_schema, "required": list(page_schema["properties"])}).validate(
        document
    )
    assert document["size"] == len(document["contents"])
    for item in document["contents"]:
        validate(item_schema, item)


def get(path: str, **params):
    response = Client().get(f"/oruk/{path}", params)
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def get_json(path: str, **params):
    response = get(path, **params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def ids(document: dict) -> list[str]:
    return [item["id"] for item in document["contents"]]


def names(document: dict) -> list[str]:
    return [item["name"] for item in document["contents"]]


@pytest.fixture
def standard_example():
    """The standard's own CSV example: one of every object, all linked together."""
    import_package(CSV_EXAMPLE_DIR)


@pytest.fixture
def wigan_postcode():
    return Postcode.objects.create(
        postcode="WN1 1AA", latitude=Decimal(str(WIGAN[0])), longitude=Decimal(str(WIGAN[1]))
    )


# --- Every endpoint answers the standard's shapes -----------------------------------------


def test_the_index_names_the_version_and_profile():
    body = get_json("")

    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith(".json")


def test_the_service_list_is_a_page_of_services_with_their_organization(standard_example):
    body = get_json("services")

    validate_page(body, "compiled/service_list.json")
    assert (body["total_items"], body["total_pages"], body["page_number"]) == (1, 1, 1)
    assert (body["first_page"], body["last_page"], body["empty"]) == (True, True, False)
    item = body["contents"][0]
    assert item["id"] == SERVICE_ID
    assert item["organization"]["name"] == "Example Organization Inc."
    assert "schedules" not in item


def test_full_services_and_one_service_are_the_standards_full_service(standard_example):
    listed = get_json("services", full="true")["contents"][0]
    one = get_json(f"services/{SERVICE_ID}")

    validate("compiled/service.json", one)
    validate("compiled/service.json", listed)
    assert listed == one
    assert one["schedules"][0]["byday"] == directory.Schedule.objects.get().byday
    assert one["service_at_locations"][0]["location"]["addresses"][0]["city"]


def test_one_service_is_what_the_standards_example_holds():
    import_package(EXAMPLES_DIR / "service_full.json")

    produced = get_json(f"services/{SERVICE_ID}")

    expected = load_json(EXAMPLES_DIR / "service_full.json")
    expected["service_at_locations"][0]["location"]["attributes"] = []
    expected["organization"]["attributes"] = []
    expected["contacts"][0]["phones"] = []
    assert produced == expected


def test_taxonomies_and_terms(standard_example):
    taxonomy = directory.Taxonomy.objects.get()
    # The example's term names a taxonomy id of its own; put it in the example's taxonomy.
    term = directory.TaxonomyTerm.objects.get()
    term.taxonomy_id = taxonomy.pk
    term.save()

    listed = get_json("taxonomies")
    one = get_json(f"taxonomies/{taxonomy.pk}")
    terms = get_json("taxonomy_terms")
    one_term = get_json(f"taxonomy_terms/{term.pk}")

    validate_page(listed, "taxonomy.json")
    validate("taxonomy.json", one)
    validate_page(terms, "taxonomy_term.json")
    validate("taxonomy_term.json", one_term)
    assert ids(listed) == [str(taxonomy.pk)]
    assert [item["id"] for item in one["taxonomy_terms"]] == [str(term.pk)]
    assert ids(terms) == [str(term.pk)]
    assert ids(get_json("taxonomy_terms", taxonomy_id=str(taxonomy.pk))) == [str(term.pk)]
    assert ids(get_json("taxonomy_terms", taxonomy_id=str(uuid.uuid4()))) == []
    assert one_term["name"] == term.name


def test_organizations(standard_example):
    organization = directory.Organization.objects.get()

    listed = get_json("organizations")
    one = get_json(f"organizations/{organization.pk}")

    validate_page(listed, "compiled/organization_list.json")
    validate("compiled/organization.json", one)
    assert ids(listed) == [str(organization.pk)]
    assert [service["id"] for service in one["services"]] == [SERVICE_ID]
    assert "organization" not in one["services"][0]
    assert one["organization_identifiers"][0]["identifier"]


def test_services_at_locations(standard_example):
    link = directory.ServiceAtLocation.objects.get()

    listed = get_json("service_at_locations")
    one = get_json(f"service_at_locations/{link.pk}")

    validate_page(listed, "compiled/service_at_location_list.json")
    # The profile's OpenAPI names compiled/service.json here, which requires a name and status
    # a service-at-location does not have; the standard's own example is this shape.
    validate("compiled/service_at_location.json", one)
    assert ids(listed) == [str(link.pk)]
    assert listed["contents"][0]["service"]["id"] == SERVICE_ID
    assert one["location"]["id"] == str(link.location_id)
    assert one["service"]["id"] == SERVICE_ID
    assert "service_at_locations" not in one["service"]
    full = get_json("service_at_locations", full="true")
    validate_page(full, "compiled/service_at_location.json")
    assert full["contents"] == [one]


def test_minimal_lists_every_service_id_and_when_it_changed():
    first = make_service("Alpha")
    second = make_service("Beta")

    body = get_json("services", minimal="true", per_page="1")

    assert [item["id"] for item in body] == [str(first.pk), str(second.pk)]
    assert body[0]["modified_date"].endswith("Z")


# --- Parameters ---------------------------------------------------------------------------


def test_search_postcode_and_proximity_together_sort_by_distance(wigan_postcode):
    make_service("Walking group", at=LEIGH)
    make_service("Walking netball", at=STANDISH)
    make_service("Walking cricket", at=MANCHESTER)
    make_service("Lunch club", at=STANDISH)

    body = get_json("services", search="walking", postcode="wn11aa", proximity="10000")

    assert names(body) == ["Walking netball", "Walking group"]
    validate_page(body, "compiled/service_list.json")
    everywhere = get_json("services", search="walking", postcode="WN1 1AA")
    assert names(everywhere) == ["Walking netball", "Walking group", "Walking cricket"]


def test_service_at_locations_are_measured_each_at_their_own_location(wigan_postcode):
    make_service("Two sites", at=[MANCHESTER, STANDISH])
    make_service("Leigh service", at=LEIGH)

    near = get_json("service_at_locations", postcode="WN1 1AA", proximity="10000")
    everywhere = get_json("service_at_locations", postcode="WN1 1AA")

    assert [item["service"]["name"] for item in near["contents"]] == ["Two sites", "Leigh service"]
    assert [item["service"]["name"] for item in everywhere["contents"]] == [
        "Two sites",
        "Leigh service",
        "Two sites",
    ]
    assert everywhere["contents"][2]["location"]["latitude"] == MANCHESTER[0]


def test_service_at_locations_take_the_service_filters():
    make_service("Walking group", at=STANDISH, minimum_age=50)
    make_service("Walking netball", at=LEIGH, minimum_age=16)
    make_service("Lunch club", at=LEIGH, minimum_age=50)

    body = get_json("service_at_locations", search="walking", minimum_age="50")

    assert [item["service"]["name"] for item in body["contents"]] == ["Walking group"]


def test_each_service_parameter_filters_and_they_combine_with_and():
    council = directory.Organization.objects.create(
        id=uuid.uuid4(), name="Council", description="The council"
    )
    sport = make_term("Sport", taxonomy_id=uuid.uuid4())
    football = make_term("Football", parent=sport)
    walking = make_service("Walking football", minimum_age=50, organization=council)
    tag(walking, football)
    weekly(walking, "TU", "10:00", "11:30")
    youth = make_service("Youth football", minimum_age=11, maximum_age=18)
    tag(youth, football)
    weekly(youth, "WE", "18:00", "20:00")
    netball = make_service("Netball", maximum_age=16, organization=council)
    weekly(netball, "TU", "18:00", "20:00")
    directory.Service.objects.filter(pk=netball.pk).update(
        modified=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )

    def found(**params) -> list[str]:
        return names(get_json("services", **params))

    assert found(search="football") == ["Walking football", "Youth football"]
    assert found(taxonomy_term_id=str(sport.pk)) == ["Walking football", "Youth football"]
    assert found(taxonomy_id=str(sport.taxonomy_id)) == []  # football's own taxonomy is unset
    assert found(organization_id=str(council.pk)) == ["Netball", "Walking football"]
    assert found(minimum_age="18") == ["Walking football"]
    assert found(maximum_age="16") == ["Netball"]
    assert found(day="TU") == ["Netball", "Walking football"]
    assert found(day="tuesday", start_time="17:00") == ["Netball"]
    assert found(end_time="12:00") == ["Walking football"]
    assert found(modified_after="2025-01-01") == ["Walking football", "Youth football"]
    assert found(status="defunct") == []
    # All together: only one service meets every one.
    assert found(
        search="football",
        taxonomy_term_id=str(sport.pk),
        organization_id=str(council.pk),
        minimum_age="18",
        day="TU",
        start_time="09:00",
        end_time="12:00",
        modified_after="2025-01-01T00:00:00Z",
    ) == ["Walking football"]
    assert found(search="football", organization_id=str(council.pk), day="WE") == []


def test_pages_of_services():
    for letter in "ABCDE":
        make_service(f"Service {letter}")

    second = get_json("services", page="2", per_page="2")
    beyond = get_json("services", page="9", per_page="2")

    assert names(second) == ["Service C", "Service D"]
    assert (second["total_items"], second["total_pages"], second["page_number"]) == (5, 3, 2)
    assert (second["first_page"], second["last_page"], second["size"]) == (False, False, 2)
    assert (beyond["empty"], beyond["contents"], beyond["last_page"]) == (True, [], True)


# --- Bad input: 400 (or 404) with a JSON problem, never a 500 --------------------------------


@pytest.mark.parametrize(
    "params, name",
    [
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "100000"}, "per_page"),
        ({"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ({"taxonomy_id": "123"}, "taxonomy_id"),
        ({"organization_id": "x"}, "organization_id"),
        ({"minimum_age": "-3"}, "minimum_age"),
        ({"maximum_age": "ten"}, "maximum_age"),
        ({"minimum_age": "12.5"}, "minimum_age"),
        ({"day": "Funday"}, "day"),
        ({"start_time": "25:00"}, "start_time"),
        ({"end_time": "noon"}, "end_time"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"full": "maybe"}, "full"),
        ({"minimal": "2"}, "minimal"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"postcode": "WN1 9ZZ"}, "postcode"),
        ({"proximity": "5000"}, "proximity"),
        ({"postcode": "WN1 1AA", "proximity": "-5"}, "proximity"),
        ({"status": "open"}, "status"),
    ],
)
@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
def test_a_bad_parameter_value_is_a_400_naming_it(endpoint, params, name, wigan_postcode):
    if endpoint == "service_at_locations" and name == "minimal":
        pytest.skip("minimal is for services only")
    response = get(endpoint, **params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert body["invalid_params"][0]["name"] == name


def test_an_unknown_postcode_says_so(wigan_postcode):
    body = get("services", postcode="WN1 9ZZ").json()

    assert body["invalid_params"][0]["reason"] == "We do not have WN1 9ZZ in our postcode data"


@pytest.mark.parametrize(
    "endpoint",
    ["services", "taxonomies", "taxonomy_terms", "organizations", "service_at_locations"],
)
def test_a_malformed_id_is_a_400_and_an_unknown_one_a_404(endpoint):
    malformed = get(f"{endpoint}/12345")
    unknown = get(f"{endpoint}/{uuid.uuid4()}")

    assert malformed.status_code == 400
    assert malformed.json()["invalid_params"] == [{"name": "id", "reason": "“12345” is not a UUID"}]
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["status"] == 404


@pytest.mark.parametrize("endpoint", ["taxonomies", "taxonomy_terms", "organizations"])
def test_other_lists_refuse_a_negative_page(endpoint):
    assert get(endpoint, page="-1").status_code == 400


LIST_ENDPOINTS = [
    "services",
    "taxonomies",
    "taxonomy_terms",
    "organizations",
    "service_at_locations",
]


@pytest.mark.parametrize(
    "page", ["1e20", "99999999999999999999", "9223372036854775807", "1000001", "1e6.5"]
)
@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_a_page_beyond_the_limit_is_a_400_naming_it(endpoint, page, standard_example):
    response = get(endpoint, page=page)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalid_params"][0]["name"] == "page"


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_the_last_page_allowed_is_answered_empty(endpoint, standard_example):
    body = get_json(endpoint, page="1000000", per_page="1000")

    assert (body["page_number"], body["empty"], body["contents"]) == (1_000_000, True, [])


@pytest.mark.parametrize(
    "params", [{"page": "-1"}, {"page": "0"}, {"page": "1e20"}, {"per_page": "100000"}]
)
def test_minimal_refuses_a_bad_page_as_without_it(params):
    make_service("Alpha")

    response = get("services", minimal="true", **params)

    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] in params


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59"]
)
def test_modified_after_beyond_the_calendar_in_utc_is_a_400(moment):
    make_service("Alpha")

    response = get("services", modified_after=moment)

    if moment == "9999-12-31T23:59:59":  # London's winter is UTC: the last moment there is
        assert get_json("services", modified_after=moment)["contents"] == []
        return
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "modified_after"


def test_modified_after_is_compared_in_utc():
    alpha = make_service("Alpha")
    changed = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    directory.Service.objects.filter(pk=alpha.pk).update(modified=changed)

    # 12:00 UTC is 13:00 in London (BST) and 02:00 at -10:00.
    assert names(get_json("services", modified_after="2026-06-01T13:00:00")) == ["Alpha"]
    assert names(get_json("services", modified_after="2026-06-01T13:00:01")) == []
    assert names(get_json("services", modified_after="2026-06-01T02:00:00-10:00")) == ["Alpha"]
    assert names(get_json("services", modified_after="2026-06-01T02:00:01-10:00")) == []


def test_an_age_beyond_any_the_database_holds_is_a_400():
    response = get("services", minimum_age="99999999999999999999")

    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["name"] == "minimum_age"


@pytest.mark.parametrize("endpoint", ["", "services", "service_at_locations"])
def test_a_nul_in_the_query_is_a_json_problem(endpoint):
    response = get(endpoint, search="\x00")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_the_api_is_read_only_and_answers_preflight():
    posted = Client().post("/oruk/services", {"name": "x"})
    preflight = Client().options("/oruk/services")

    assert posted.status_code == 405
    assert posted.json()["title"] == "Method not allowed"
    assert posted["Access-Control-Allow-Origin"] == "*"
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert directory.Service.objects.count() == 0


# --- A page costs a fixed number of queries ------------------------------------------------


def make_full_listings(count: int) -> None:
    """`count` services, each with an organization, a location with address and accessibility,
    a schedule, a cost, a contact with a phone, and a category."""
    term = make_term("Sport")
    for index in range(count):
        organization = directory.Organization.objects.create(
            id=uuid.uuid4(), name=f"Organisation {index}", description="A charity"
        )
        service = make_service(f"Service {index:03}", at=STANDISH, organization=organization)
        location = service.service_at_locations.get().location
        directory.Address.objects.create(
            id=uuid.uuid4(),
            location=location,
            address_1="1 Market Street",
            city="Wigan",
            state_province="Greater Manchester",
            postal_code="WN1 1AA",
            country="GB",
            address_type="physical",
        )
        directory.Accessibility.objects.create(id=uuid.uuid4(), location=location, details="Ramp")
        weekly(service, "MO", "09:00", "17:00")
        directory.CostOption.objects.create(id=uuid.uuid4(), service=service, amount=Decimal(1))
        contact = directory.Contact.objects.create(id=uuid.uuid4(), service=service, name="Desk")
        directory.Phone.objects.create(id=uuid.uuid4(), contact=contact, number="01942 000000")
        directory.OrganizationIdentifier.objects.create(
            id=uuid.uuid4(), organization=organization, identifier_type="charity", identifier="1"
        )
        tag(service, term)
        tag(organization, term)


def test_a_page_of_50_full_services_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    make_full_listings(50)

    with django_assert_max_num_queries(16):
        body = get_json("services", full="true", per_page="50")

    assert len(body["contents"]) == 50
    first = body["contents"][0]
    assert first["contacts"][0]["phones"][0]["number"] == "01942 000000"
    assert first["organization"]["attributes"][0]["taxonomy_term"]["name"] == "Sport"
    assert first["service_at_locations"][0]["location"]["accessibility"][0]["details"] == "Ramp"
    validate("compiled/service.json", first)


def test_a_page_of_50_listed_services_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries, wigan_postcode
):
    make_full_listings(50)

    with django_assert_max_num_queries(4):
        body = get_json("services", per_page="50", postcode="WN1 1AA", proximity="10000")

    assert len(body["contents"]) == 50


def test_a_page_of_50_services_at_locations_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    make_full_listings(50)

    with django_assert_max_num_queries(4):
        body = get_json("service_at_locations", per_page="50")

    assert len(body["contents"]) == 50
