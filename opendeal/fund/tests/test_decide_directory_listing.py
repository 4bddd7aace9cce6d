"""One step publishes a funded project as a service in the community directory."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.directory.models import (
    Address,
    Attribute,
    Funding,
    Location,
    Organization,
    OrganizationIdentifier,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from opendeal.fund import decisions, directory_listing
from opendeal.geography.models import Postcode

from .decide_factories import make_application, make_organisation, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.FUND_OFFICER)


@pytest.fixture
def grant(officer):
    organisation = make_organisation(
        name="Leigh Walking Group",
        postcode="WN7 1AA",
        kind="registered_charity",
        charity_number="1100001",
        org_id="GB-CHC-1100001",
    )
    application = make_application(
        make_round(),
        organisation=organisation,
        title="Walk and talk",
        amount="1500.00",
        tier="Small",
        years=1,
    )
    application.postcode = "WN7 1AA"
    application.save()
    return decisions.decide(
        officer, application, outcome="award", reason="Good.", amount=Decimal("1500.00")
    ).grant


def term(name: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(id=uuid.uuid4(), name=name, description=name)


def test_publishing_makes_the_service_with_its_organisation_location_and_terms(officer, grant):
    Postcode.objects.create(
        postcode="WN7 1AA",
        latitude=Decimal("53.497000"),
        longitude=Decimal("-2.519000"),
        lsoa21_code="E01006237",
        ward_code="E05000849",
        local_authority_code="E08000010",
    )
    walking, befriending, _unused = term("Walking groups"), term("Befriending"), term("Debt advice")

    service = directory_listing.publish_to_directory(
        officer, grant, taxonomy_term_ids=[walking.id, befriending.id]
    )

    grant.refresh_from_db()
    assert grant.directory_service_id == service.id
    assert isinstance(service.id, uuid.UUID)
    assert service.name == "Walk and talk"
    assert service.status == Service.Status.ACTIVE
    organisation = grant.application.organisation
    organisation.refresh_from_db()
    assert service.organization.name == "Leigh Walking Group"
    assert organisation.directory_organization_id == service.organization_id
    identifier = OrganizationIdentifier.objects.get(organization=service.organization)
    assert identifier.identifier == organisation.org_id
    link = ServiceAtLocation.objects.get(service=service)
    assert link.location.location_type == Location.LocationType.PHYSICAL
    assert (link.location.latitude, link.location.longitude) == (
        Decimal("53.497000"),
        Decimal("-2.519000"),
    )
    assert Address.objects.get(location=link.location).postal_code == "WN7 1AA"
    assert Funding.objects.get(service=service).source.endswith(f"({grant.identifier})")
    assert set(
        Attribute.objects.filter(link_id=service.id, link_type="service").values_list(
            "taxonomy_term__name", flat=True
        )
    ) == {"Walking groups", "Befriending"}
    event = AuditEvent.objects.get(action="fund.grant.published_to_directory")
    assert event.actor == officer
    assert event.details["service"] == str(service.id)


def test_a_second_grant_reuses_the_directory_organisation(officer, grant):
    first = directory_listing.publish_to_directory(officer, grant)
    organisation = grant.application.organisation
    other = make_application(
        make_round(), organisation=organisation, amount="1000.00", tier="Small", years=1
    )
    second_grant = decisions.decide(
        officer, other, outcome="award", reason="Good.", amount=Decimal("1000.00")
    ).grant

    second = directory_listing.publish_to_directory(officer, second_grant)

    assert second.organization_id == first.organization_id
    assert Organization.objects.count() == 1


def test_publishing_twice_or_without_permission_is_refused(officer, grant, make_user):
    with pytest.raises(PermissionDenied):
        directory_listing.publish_to_directory(make_user(Role.PANEL_MEMBER), grant)
    with pytest.raises(ValidationError):
        directory_listing.publish_to_directory(officer, grant, taxonomy_term_ids=[uuid.uuid4()])
    assert not Service.objects.exists()

    directory_listing.publish_to_directory(officer, grant)
    with pytest.raises(ValidationError, match="already"):
        directory_listing.publish_to_directory(officer, grant)
    assert Service.objects.count() == 1
    assert Location.objects.count() == 1
