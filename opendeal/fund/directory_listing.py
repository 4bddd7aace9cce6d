"""Publishing a funded project as a service in the community directory, in one step.

The step makes, in one transaction: the organisation (reusing the one already linked from the
applicant's profile, else a new `directory.Organization` with its 360Giving org id as an
identifier), the service (the project's title and summary, active, reviewed today), where it
runs (a physical `Location` at the project's postcode, placed from the postcode data when we
have it, with the organisation's street `Address` only for a registered organisation and only
when the project is at its postcode: see `_location`), the `ServiceAtLocation` joining
them, the fund as the service's `Funding`, and one taxonomy `Attribute` for each term chosen.
All directory records have fresh UUID ids (HSDS). The grant records the service's id; the
step is audited, and publishing twice is refused while the service exists.
"""

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.core.permissions import require
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
from opendeal.geography.geocoding import InvalidPostcode, UnknownPostcode, locate_postcode

from . import published_files
from .awards import can_manage
from .giving360 import REGISTERED_KINDS
from .models import Grant, Organisation


def published_service(grant: Grant) -> Service | None:
    if grant.directory_service_id is None:
        return None
    return Service.objects.filter(id=grant.directory_service_id).first()


def gap_term_ids(grant: Grant) -> list[uuid.UUID]:
    """The taxonomy terms of the recorded gaps the funded application answers (its priorities
    made from the care gap map): the service needs them for the gap to close on the map."""
    return list(
        grant.application.priorities.filter(gap_taxonomy_term__isnull=False)
        .order_by("gap_taxonomy_term_id")
        .values_list("gap_taxonomy_term_id", flat=True)
        .distinct()
    )


def publish_to_directory(
    officer: User, grant: Grant, *, taxonomy_term_ids: Iterable[uuid.UUID] = ()
) -> Service:
    """Make the funded project a service in the directory (see the module's docstring)."""
    require(can_manage(officer))
    term_ids = set(taxonomy_term_ids)
    terms = list(TaxonomyTerm.objects.filter(id__in=term_ids))
    if len(terms) != len(term_ids):
        raise ValidationError({"taxonomy_terms": "Choose terms from the directory's taxonomy"})
    with transaction.atomic():
        grant = (
            Grant.objects.select_for_update()
            .select_related("application__organisation", "application__round__fund")
            .get(pk=grant.pk)
        )
        if published_service(grant) is not None:
            raise ValidationError("This project is already a service in the directory.")
        application = grant.application
        organisation = Organisation.objects.select_for_update().get(pk=application.organisation_id)
        organization = _directory_organization(organisation)
        service = Service.objects.create(
            id=uuid.uuid4(),
            organization=organization,
            name=str(application),
            description=application.summary,
            url=organisation.website,
            status=Service.Status.ACTIVE,
            last_modified=timezone.now(),
            last_reviewed_on=timezone.localdate(),
        )
        location = _location(organisation, application.postcode)
        ServiceAtLocation.objects.create(id=uuid.uuid4(), service=service, location=location)
        Funding.objects.create(
            id=uuid.uuid4(),
            service=service,
            source=f"{application.round.fund.name} ({grant.identifier})",
        )
        Attribute.objects.bulk_create(
            Attribute(id=uuid.uuid4(), link_id=service.id, link_type="service", taxonomy_term=term)
            for term in terms
        )
        grant.directory_service_id = service.id
        grant.save(update_fields=["directory_service_id"])
        published_files.request_rebuild()  # the directory's terms join its classifications
        audit.record(
            officer,
            "fund.grant.published_to_directory",
            grant,
            service=str(service.id),
            organization=str(organization.id),
            location=str(location.id),
            terms=sorted(str(term.id) for term in terms),
        )
    return service


def _directory_organization(organisation: Organisation) -> Organization:
    if organisation.directory_organization_id is not None:
        existing = Organization.objects.filter(id=organisation.directory_organization_id).first()
        if existing is not None:
            return existing
    organization = Organization.objects.create(
        id=uuid.uuid4(),
        name=organisation.name,
        description=organisation.description or organisation.name,
        website=organisation.website,
    )
    OrganizationIdentifier.objects.create(
        id=uuid.uuid4(),
        organization=organization,
        identifier_scheme="org-id",
        identifier_type="360Giving organisation identifier",
        identifier=organisation.org_id,
    )
    organisation.directory_organization_id = organization.id
    organisation.save(update_fields=["directory_organization_id"])
    return organization


def _location(organisation: Organisation, project_postcode: str) -> Location:
    """Where the project runs, as published. An unregistered group's address is often a
    volunteer's home (the 360Giving export withholds it too, `giving360.REGISTERED_KINDS`),
    so for one only the project's postcode area and the point of the project's postcode are
    published, never the group's own address or postcode. A registered organisation's street
    is published with its own postcode, and only when the project is at that postcode: the
    street is never paired with a different postcode (the project's postcode then stands
    alone, as the area and point)."""
    project_postcode = (project_postcode or "").strip()
    registered = organisation.kind in REGISTERED_KINDS
    postcode = project_postcode or (organisation.postcode if registered else "")
    latitude = longitude = None
    if postcode:
        try:
            place = locate_postcode(postcode)
            latitude, longitude, postcode = place.latitude, place.longitude, place.postcode
        except (InvalidPostcode, UnknownPostcode):
            pass
    at_own_address = registered and _same_postcode(postcode, organisation.postcode)
    if not postcode:
        description = ""
    elif registered and not at_own_address:
        description = f"At postcode {postcode}"
    else:
        description = f"In the {_postcode_area(postcode)} postcode area"
    location = Location.objects.create(
        id=uuid.uuid4(),
        location_type=Location.LocationType.PHYSICAL,
        name=organisation.name,
        description=description,
        latitude=latitude,
        longitude=longitude,
    )
    if at_own_address and organisation.address_line_1:
        Address.objects.create(
            id=uuid.uuid4(),
            location=location,
            address_1=organisation.address_line_1,
            address_2=organisation.address_line_2,
            city=organisation.town,
            state_province="",
            postal_code=postcode,
            country="GB",
            address_type=Address.AddressType.PHYSICAL,
        )
    return location


def _compact(postcode: str) -> str:
    """The postcode without spaces, in capitals ("wn7 1aa" -> "WN71AA")."""
    return "".join((postcode or "").split()).upper()


def _postcode_area(postcode: str) -> str:
    """The outward code ("WN7" of "WN7 1AA"), the area a postcode is in."""
    compact = _compact(postcode)
    return compact[:-3] if len(compact) > 3 else ""


def _same_postcode(first: str, second: str) -> bool:
    return bool(_compact(first)) and _compact(first) == _compact(second)
