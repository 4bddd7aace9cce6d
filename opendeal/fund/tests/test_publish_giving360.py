"""The 360Giving export: valid against the standard's own schemas, identifiers by its rules,
the standard's column titles in the CSV, the same rows in the XLSX, streamed in chunks."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from opendeal.fund import giving360
from opendeal.fund.models import OrganisationKind

from .publish_factories import (
    ABRAM_WARD,
    WIGAN_026A_LSOA,
    make_grant,
    make_organisation,
    make_priority,
    make_round,
    make_theme,
)

STANDARD_DIR = Path(settings.PROJECT_DIR).parent / "shared" / "standards" / "360giving"
GRANT_SCHEMA = json.loads((STANDARD_DIR / "360-giving-schema.json").read_text("utf-8"))
PACKAGE_SCHEMA = json.loads((STANDARD_DIR / "360-giving-package-schema.json").read_text("utf-8"))


def package_validator() -> Draft202012Validator:
    """The package schema, offline: its items `$ref` names the grant schema by a remote address
    (of release 1.4.2), which the registry answers with the local copy. The schemas say
    `http://json-schema.org/draft/2020-12/schema`, which validators do not recognise, so the
    draft is given explicitly; and formats are checked, without which a date matches both
    branches of the schema's `oneOf` for dates."""
    grant_resource = Resource.from_contents(GRANT_SCHEMA, default_specification=DRAFT202012)
    remote_ref = PACKAGE_SCHEMA["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources(
        [(remote_ref, grant_resource), (GRANT_SCHEMA["$id"], grant_resource)]
    )
    return Draft202012Validator(
        PACKAGE_SCHEMA, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(package: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in package_validator().iter_errors(package)
    ]


@pytest.fixture
def grants(db):
    """Three grants: a charity's serving two priorities (one tied to a Deal theme), an
    unregistered group's with no neighbourhood recorded, and a company's in another round."""
    round_ = make_round()
    theme = make_theme()
    loneliness = make_priority(round_, "Tackling loneliness", theme)
    young = make_priority(round_, "Young people")
    first = make_grant(round_=round_, priorities=(loneliness, young))
    group = make_organisation(
        "Abram Knit and Natter (fictional)", OrganisationKind.UNREGISTERED_GROUP
    )
    second = make_grant(
        round_=round_,
        organisation=group,
        title="Knit and natter",
        amount=Decimal("500.10"),
        ward_code="",
        lsoa21_code="",
    )
    company = make_organisation(
        "Leigh Community Kitchen CIC (fictional)",
        OrganisationKind.COMPANY,
        company_number="01234567",
    )
    third = make_grant(
        round_=make_round("round-2"),
        organisation=company,
        title="Community kitchen",
        amount=Decimal("30000.00"),
        planned_start=datetime.date(2024, 4, 1),
        planned_end=datetime.date(2027, 3, 31),
    )
    return first, second, third


def export_package() -> dict:
    return json.loads("".join(giving360.json_lines()), parse_float=Decimal)


def test_the_package_is_valid_against_the_standards_package_schema(grants):
    package = json.loads("".join(giving360.json_lines()))
    assert schema_errors(package) == []
    assert len(package["grants"]) == 3
    assert package["version"] == "1.4"
    assert package["publisher"] == {
        "identifier": "GB-LAE-WGN",
        "name": "Wigan Council",
        "website": "http://127.0.0.1:8000",
    }


def test_the_validator_finds_what_is_wrong(grants):
    """The harness can fail: a grant without a recipient, a wrong open-call answer and a
    currency that is not a code are each reported."""
    package = json.loads("".join(giving360.json_lines()))
    del package["grants"][0]["recipientOrganization"]
    package["grants"][1]["fromOpenCall"] = "Maybe"
    package["grants"][2]["currency"] = "Pounds"
    errors = schema_errors(package)
    assert len(errors) == 3
    assert any(error.startswith("grants/1/fromOpenCall") for error in errors)
    assert any(error.startswith("grants/2/currency") for error in errors)


def test_identifiers_follow_the_360giving_rules(grants):
    first, second, _ = grants
    exported = {grant["title"]: grant for grant in export_package()["grants"]}
    walking = exported["Walking group for new parents"]
    assert walking["id"] == f"360G-opendeal-demo-{first.public_id}"
    assert walking["fundingOrganization"] == [{"id": "GB-LAE-WGN", "name": "Wigan Council"}]
    assert walking["recipientOrganization"][0]["id"].startswith("GB-CHC-")
    group = second.application.organisation
    assert exported["Knit and natter"]["recipientOrganization"][0]["id"] == (
        f"360G-opendeal-demo-{group.public_id}"
    )
    assert exported["Community kitchen"]["recipientOrganization"][0]["id"] == "GB-COH-01234567"


def test_a_grant_carries_amount_dates_programme_location_and_classifications(grants):
    first, _, _ = grants
    walking = export_package()["grants"][0]
    assert walking["amountAwarded"] == Decimal("1999.99")
    assert walking["currency"] == "GBP"
    assert walking["awardDate"] == "2024-06-03"
    assert walking["plannedDates"] == [
        {"startDate": "2024-07-01", "endDate": "2025-06-30", "duration": 12}
    ]
    assert walking["fromOpenCall"] == "Yes"
    assert walking["grantProgramme"] == [
        {"code": "DFC/round-1", "title": "Deal for Communities Investment Fund: Round round-1"}
    ]
    assert walking["beneficiaryLocation"] == [
        {"countryCode": "GB", "geoCode": ABRAM_WARD, "name": "Abram", "geoCodeType": "WD"},
        {
            "countryCode": "GB",
            "geoCode": WIGAN_026A_LSOA,
            "name": "Wigan 026A",
            "geoCodeType": "LSOA",
        },
        {"name": "Wigan", "countryCode": "GB", "geoCode": "E08000010", "geoCodeType": "MD"},
    ]
    priorities = first.application.priorities.order_by("title")
    assert walking["classifications"] == [
        {
            "vocabulary": "360G-opendeal-demo-priority",
            "code": str(priorities[0].public_id),
            "title": "Tackling loneliness",
        },
        {"vocabulary": "360G-opendeal-demo-deal-theme", "code": "healthy", "title": "Healthy"},
        {
            "vocabulary": "360G-opendeal-demo-priority",
            "code": str(priorities[1].public_id),
            "title": "Young people",
        },
    ]
    assert walking["url"] == f"http://127.0.0.1:8000/fund/awarded/{first.public_id}/"
    assert walking["dataSource"] == "http://127.0.0.1:8000/fund/awarded/360giving.json"


def test_an_unregistered_groups_address_is_not_published(grants):
    exported = {grant["title"]: grant for grant in export_package()["grants"]}
    group = exported["Knit and natter"]["recipientOrganization"][0]
    assert set(group) == {"id", "name", "url"}
    charity = exported["Walking group for new parents"]["recipientOrganization"][0]
    assert charity["streetAddress"] == "1 Test Street"
    assert charity["postalCode"] == "WN1 1AA"
    # Where no neighbourhood was recorded, the council's area still says where.
    assert [place["geoCode"] for place in exported["Knit and natter"]["beneficiaryLocation"]] == [
        "E08000010"
    ]


@pytest.mark.parametrize("amount", ["0.01", "0.10", "1234.56", "2000", "9999999999.99", "-0.01"])
def test_amounts_are_written_pence_exact(amount):
    text = json.dumps(giving360.json_number(Decimal(amount)))
    assert Decimal(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2024-07-01", "2025-06-30", 12),
        ("2024-04-01", "2027-03-31", 36),
        ("2024-01-31", "2024-02-29", 1),
        ("2024-04-01", "2024-04-15", 0.5),
        ("2024-04-01", "2024-04-01", 0),
    ],
)
def test_planned_duration_in_months(start, end, months):
    start, end = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    assert giving360.duration_in_months(start, end) == months


def test_grants_stream_in_chunks_with_one_query_each(db, django_assert_num_queries):
    round_ = make_round()
    priority = make_priority(round_, "Tackling loneliness")
    for number in range(5):
        make_grant(round_=round_, title=f"Project {number}", priorities=(priority,))
    context = giving360.ExportContext.current()
    # The round's priorities once, the grants' own query, then one for each chunk's links to
    # priorities: 1 + 1 + 3 chunks of 2.
    with django_assert_num_queries(5):
        exported = list(giving360.grant_objects(context=context, chunk_size=2))
    assert [grant["title"] for grant in exported] == [f"Project {number}" for number in range(5)]
    with django_assert_num_queries(7):
        list(giving360.grant_objects(context=context, chunk_size=1))


# --- CSV and XLSX ------------------------------------------------------------------------------


def _schema_object(reference: str) -> dict:
    return GRANT_SCHEMA["$defs"][reference.rsplit("/", 1)[1]]


def schema_title(key: str, field: str | None = None) -> str:
    """A property's title as the grant schema gives it (following `$ref`s)."""
    prop = GRANT_SCHEMA["properties"][key]
    if field is None:
        return prop.get("title") or _schema_object(prop["$ref"])["title"]
    return _schema_object(prop["items"]["$ref"])["properties"][field]["title"]


def schema_titles_to_paths() -> dict[str, tuple]:
    """Every flattened title the standard allows for the properties we use, from the schema:
    top-level titles, rolled-up titles of array fields, and numbered ones."""
    titles = {}
    for key, prop in GRANT_SCHEMA["properties"].items():
        if prop.get("type") != "array" or "$ref" not in prop.get("items", {}):
            titles[schema_title(key)] = (key,)
            continue
        if "title" not in prop:  # the transaction arrays, which have no flattened form
            continue
        fields = _schema_object(prop["items"]["$ref"])["properties"]
        for field, field_schema in fields.items():
            for index in range(10):
                titles[f"{prop['title']}:{index}:{field_schema['title']}"] = (key, index, field)
            if field in prop.get("rollUp", ()):
                titles[f"{prop['title']}:{field_schema['title']}"] = (key, 0, field)
    return titles


def csv_export() -> list[list[str]]:
    text = "".join(giving360.csv_lines(giving360.flat_export()))
    return list(csv.reader(io.StringIO(text)))


def test_csv_column_titles_are_the_standards(grants):
    header = csv_export()[0]
    allowed = schema_titles_to_paths()
    assert [title for title in header if title not in allowed] == []
    assert header[:7] == [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Applied For",
        "Amount Awarded",
        "Award Date",
    ]
    for title in (
        "Planned Dates:Duration (months)",
        "Recipient Org:Charity Number",
        "Funding Org:Identifier",
        "Grant Programme:Code",
        "From An Open Call?",
        "Beneficiary Location:0:Geographic Code Type",
        "Beneficiary Location:2:Geographic Code",
        "Classifications:2:Title",
        "Data Source",
    ):
        assert title in header
    # The first grant has three classifications: three sets of columns, no more.
    assert "Classifications:3:Title" not in header


def unflatten(header: list[str], row: list[str]) -> dict:
    """A CSV row back into a grant, by the schema's titles alone (as the standard's tools do)."""
    paths = schema_titles_to_paths()
    grant: dict = {}
    for title, cell in zip(header, row, strict=True):
        if cell == "":
            continue
        path = paths[title]
        if len(path) == 1:
            grant[path[0]] = cell
            continue
        key, index, field = path
        items = grant.setdefault(key, [])
        while len(items) <= index:
            items.append({})
        items[index][field] = cell
    return grant


def as_text(value):
    """A JSON grant with every value as the text a CSV cell holds."""
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_text(item) for item in value]
    return str(value)


def test_each_csv_row_reads_back_as_the_json_grant(grants):
    header, *rows = csv_export()
    assert len(rows) == 3
    exported = export_package()["grants"]
    for row, grant in zip(rows, exported, strict=True):
        assert unflatten(header, row) == as_text(grant)


def test_text_that_a_spreadsheet_would_run_is_made_plain_in_the_csv_only(db):
    organisation = make_organisation('=HYPERLINK("http://example.com")')
    make_grant(organisation=organisation, title="+ringing the changes")
    header, row = csv_export()
    cells = dict(zip(header, row, strict=True))
    assert cells["Recipient Org:Name"] == '\'=HYPERLINK("http://example.com")'
    assert cells["Title"] == "'+ringing the changes"
    grant = export_package()["grants"][0]
    assert grant["recipientOrganization"][0]["name"] == '=HYPERLINK("http://example.com")'


def test_the_xlsx_holds_the_same_rows_as_the_csv(grants):
    header, *rows = csv_export()
    stream = io.BytesIO()
    giving360.write_xlsx(giving360.flat_export(), stream)
    stream.seek(0)
    sheet = load_workbook(stream, read_only=True)["grants"]
    cells = [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert cells[0] == header
    assert len(cells) == 4
    for xlsx_row, csv_row in zip(cells[1:], rows, strict=True):
        # Numbers are numbers in the workbook: 30000 and 30000.0 are one amount.
        assert [Decimal(a) if a.replace(".", "").isdigit() else a for a in xlsx_row] == [
            Decimal(b) if b.replace(".", "").isdigit() else b for b in csv_row
        ]


def test_a_project_in_the_directory_carries_its_taxonomy_terms(db):
    """Issue 9: the grant's classification includes the directory terms of the service its
    project became, in the terms' own taxonomy."""
    import uuid

    from opendeal.directory.models import Attribute, TaxonomyTerm

    round_ = make_round()
    grant = make_grant(round_=round_, priorities=(make_priority(round_, "Tackling loneliness"),))
    make_grant(round_=round_, title="Not in the directory")
    walking = TaxonomyTerm.objects.create(
        id=uuid.uuid4(),
        name="Walking",
        description="",
        taxonomy="openActiveActivityList",
        term="walking",
    )
    grant.directory_service_id = uuid.uuid4()
    grant.save()
    Attribute.objects.create(
        id=uuid.uuid4(),
        link_id=grant.directory_service_id,
        link_type="service",
        taxonomy_term=walking,
    )
    first, second = export_package()["grants"]
    assert first["classifications"][1:] == [
        {"vocabulary": "openActiveActivityList", "code": "walking", "title": "Walking"}
    ]
    assert "classifications" not in second
    header = csv_export()[0]
    assert "Classifications:1:Code" in header
    assert "Classifications:2:Code" not in header
