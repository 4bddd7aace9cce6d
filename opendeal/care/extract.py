"""Files for people who may not see records: the pseudonymised analytics extract, and the
connections export with SNOMED CT codes for social-prescribing reporting.

The extract has no names, dates of birth, NHS numbers, addresses, postcodes, contact details or
free text. Ids are replaced by pseudonyms: HMAC-SHA256 of the id under
`OPENDEAL_PSEUDONYMISATION_KEY`, so the same person has the same pseudonym in every extract
(analysts can follow them over time) but nobody without the key can link a pseudonym back. Age
is given as a band at the date of each record. Pseudonymised data is still personal data: the
extract is for analysts only (`care.download_extract`).
"""

import datetime
import hashlib
import hmac
from collections.abc import Iterator

from django.conf import settings

from opendeal.core.models import User

from . import access
from .models import Connection, Conversation, Person, SupportPackage, SwemwbsResponse

EXTRACT_COLUMNS = [
    "record_type",
    "record_pseudonym",
    "person_pseudonym",
    "team_pseudonym",
    "date",
    "end_date",
    "kind",
    "outcome_or_status",
    "age_band",
    "lsoa21_code",
    "ward_code",
    "taxonomy_term_ids",
    "service_id",
    "weekly_cost",
    "swemwbs_raw",
    "swemwbs_metric",
]
AGE_BANDS = (
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65-74"),
    (75, "75-84"),
    (85, "85+"),
)


def pseudonym(kind: str, identifier: object) -> str:
    """The HMAC-SHA256 of "kind:id" under the pseudonymisation key, in hex."""
    key = settings.OPENDEAL_PSEUDONYMISATION_KEY.encode()
    return hmac.new(key, f"{kind}:{identifier}".encode(), hashlib.sha256).hexdigest()


def age_band(born: datetime.date | None, on: datetime.date) -> str:
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 18:
        return "under 18"
    return [label for lowest, label in AGE_BANDS if age >= lowest][-1]


def pseudonymised_extract() -> Iterator[dict[str, str]]:
    """One row per conversation, connection, package and SWEMWBS response, in EXTRACT_COLUMNS."""
    people = {
        pk: (pseudonym("person", public_id), born, lsoa, ward)
        for pk, public_id, born, lsoa, ward in Person.objects.values_list(
            "pk", "public_id", "date_of_birth", "lsoa21_code", "ward_code"
        )
    }
    teams: dict[int, str] = {}

    def team(team_id: int) -> str:
        if team_id not in teams:
            teams[team_id] = pseudonym("team", team_id)
        return teams[team_id]

    def base(record_type: str, public_id, person_id: int, on: datetime.date) -> dict[str, str]:
        person_pseudonym, born, lsoa, ward = people[person_id]
        return {
            **dict.fromkeys(EXTRACT_COLUMNS, ""),
            "record_type": record_type,
            "record_pseudonym": pseudonym(record_type, public_id),
            "person_pseudonym": person_pseudonym,
            "date": on.isoformat(),
            "age_band": age_band(born, on),
            "lsoa21_code": lsoa,
            "ward_code": ward,
        }

    conversations = Conversation.objects.prefetch_related("heard_needs").order_by("held_on", "pk")
    for item in conversations.iterator(chunk_size=2000):
        yield {
            **base("conversation", item.public_id, item.person_id, item.held_on),
            "team_pseudonym": team(item.team_id),
            "kind": item.kind,
            "outcome_or_status": item.outcome,
            # The neighbourhood on the day, as the gap map counts it.
            "lsoa21_code": item.lsoa21_code,
            "ward_code": item.ward_code,
            "taxonomy_term_ids": " ".join(
                f"{heard.kind}:{heard.taxonomy_term_id}" for heard in item.heard_needs.all()
            ),
        }
    for item in Connection.objects.order_by("made_on", "pk").iterator(chunk_size=2000):
        yield {
            **base("connection", item.public_id, item.person_id, item.made_on),
            "end_date": item.status_changed_on.isoformat(),
            "outcome_or_status": item.status,
            "service_id": str(item.service_id),
        }
    for item in SupportPackage.objects.order_by("starts_on", "pk").iterator(chunk_size=2000):
        yield {
            **base("package", item.public_id, item.person_id, item.starts_on),
            "team_pseudonym": team(item.team_id),
            "end_date": item.ends_on.isoformat() if item.ends_on else "",
            "kind": item.kind,
            "outcome_or_status": item.setting,
            "weekly_cost": f"{item.weekly_cost:.2f}",
        }
    for item in SwemwbsResponse.objects.order_by("recorded_on", "pk").iterator(chunk_size=2000):
        yield {
            **base("swemwbs", item.public_id, item.person_id, item.recorded_on),
            "swemwbs_raw": str(item.raw_score),
            "swemwbs_metric": f"{item.metric_score:.2f}",
        }


CONNECTION_COLUMNS = [
    "connection_id",
    "person_id",
    "nhs_number",
    "service_id",
    "service_name",
    "status",
    "made_on",
    "status_changed_on",
    "first_attended_on",
    "snomed_ct_code",
    "snomed_ct_term",
]


def connections_export(actor: User) -> list[dict[str, str]]:
    """The connections of the people of the teams `actor` manages, with the SNOMED CT code a GP
    record would carry (referral to social prescribing, or declined). Each person included gets
    an audit event, as the export shows their NHS number."""
    people = access.managed_people(actor)
    connections = (
        Connection.objects.filter(person__in=people)
        .select_related("person", "service")
        .order_by("made_on", "pk")
    )
    rows, counts = [], {}
    for item in connections:
        code, term = item.snomed
        rows.append(
            {
                "connection_id": str(item.public_id),
                "person_id": str(item.person.public_id),
                "nhs_number": item.person.nhs_number,
                "service_id": str(item.service_id),
                "service_name": item.service.name,
                "status": item.status,
                "made_on": item.made_on.isoformat(),
                "status_changed_on": item.status_changed_on.isoformat(),
                "first_attended_on": item.first_attended_on.isoformat()
                if item.first_attended_on
                else "",
                "snomed_ct_code": code,
                "snomed_ct_term": term,
            }
        )
        counts.setdefault(item.person, 0)
        counts[item.person] += 1
    for person, count in counts.items():
        access.record(actor, "care.connections.exported", person, connections=count)
    return rows
