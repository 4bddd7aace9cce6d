"""Subject access (UK GDPR Article 15): everything held about a person, as one document that
the JSON download and the printable page both show."""

import datetime
from typing import Any

from django.utils import timezone

from . import access
from .models import Person
from .scoring import SWEMWBS_COPYRIGHT
from .validation import format_nhs_number, format_phone


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def subject_access_document(person: Person) -> dict[str, Any]:
    """Everything the council holds about the person in OpenDeal, including who has seen and
    changed their record. Plain JSON types only."""
    conversations = person.conversations.select_related("practitioner", "team").prefetch_related(
        "heard_needs__taxonomy_term", "actions"
    )
    return {
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "controller": "The council running this service, as named on the record's pages",
        "person": {
            "id": str(person.public_id),
            "is_fictional": person.is_fictional,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "preferred_name": person.preferred_name,
            "date_of_birth": _day(person.date_of_birth),
            "address": person.address,
            "postcode": person.postcode,
            "lsoa21_code": person.lsoa21_code,
            "ward_code": person.ward_code,
            "phone": format_phone(person.phone),
            "email": person.email,
            "nhs_number": format_nhs_number(person.nhs_number),
            "lawful_basis": person.get_lawful_basis_display(),
            "special_category_condition": person.get_special_category_condition_display(),
            "consent_recorded_on": _day(person.consent_recorded_on),
            "consents_to_sharing": person.consents_to_sharing,
            "consent_notes": person.consent_notes,
            "strengths": person.strengths,
            "gifts": person.gifts,
            "interests": person.interests,
            "what_matters": person.what_matters,
            "team": person.team.name,
            "record_started": person.created_at.date().isoformat(),
            "closed_on": _day(person.closed_on),
        },
        "people_around_them": [
            {
                "name": item.name,
                "kind": item.get_kind_display(),
                "relationship": item.relationship,
                "phone": format_phone(item.phone),
                "email": item.email,
                "notes": item.notes,
                "is_main_contact": item.is_main_contact,
            }
            for item in person.relationships.all()
        ],
        "conversations": [
            {
                "id": str(item.public_id),
                "held_on": item.held_on.isoformat(),
                "kind": item.get_kind_display(),
                "method": item.get_method_display(),
                "practitioner": item.practitioner.full_name if item.practitioner else "",
                "strengths_heard": item.strengths_heard,
                "people_heard": item.people_heard,
                "what_matters_heard": item.what_matters_heard,
                "needs_heard": item.needs_heard,
                "notes": item.notes,
                "needs_and_interests": [
                    {"kind": heard.get_kind_display(), "term": heard.taxonomy_term.name}
                    for heard in item.heard_needs.all()
                ],
                "agreed_actions": [
                    {
                        "description": action.description,
                        "owner": action.owner,
                        "due_on": _day(action.due_on),
                        "done_on": _day(action.done_on),
                    }
                    for action in item.actions.all()
                ],
                "outcome": item.get_outcome_display(),
                "follow_up_on": _day(item.follow_up_on),
            }
            for item in conversations
        ],
        "connections": [
            {
                "service": item.service.name,
                "service_id": str(item.service_id),
                "status": item.get_status_display(),
                "made_on": item.made_on.isoformat(),
                "status_changed_on": item.status_changed_on.isoformat(),
                "snomed_ct": {"code": item.snomed[0], "term": item.snomed[1]},
                "notes": item.notes,
            }
            for item in person.connections.select_related("service")
        ],
        "support_packages": [
            {
                "kind": item.get_kind_display(),
                "setting": item.get_setting_display(),
                "description": item.description,
                "provider": item.provider,
                "weekly_cost": f"{item.weekly_cost:.2f}",
                "starts_on": item.starts_on.isoformat(),
                "ends_on": _day(item.ends_on),
            }
            for item in person.packages.all()
        ],
        "wellbeing": {
            "swemwbs_copyright": SWEMWBS_COPYRIGHT,
            "swemwbs": [
                {
                    "recorded_on": item.recorded_on.isoformat(),
                    "answers": {name: getattr(item, name) for name in item.ITEMS},
                    "raw_score": item.raw_score,
                    "metric_score": f"{item.metric_score:.2f}",
                }
                for item in person.swemwbs.all()
            ],
            "ons4": [
                {
                    "recorded_on": item.recorded_on.isoformat(),
                    **{name: getattr(item, name) for name in item.ITEMS},
                }
                for item in person.ons4.all()
            ],
        },
        "shared_with": [
            share.user.full_name or "A member of staff"
            for share in person.shares.select_related("user")
        ],
        "who_saw_or_changed_the_record": [
            {
                "when": timezone.localtime(event.occurred_at).isoformat(timespec="seconds"),
                "who": event.actor.full_name if event.actor else "The system",
                "what": access.ACTION_LABELS.get(event.action, event.action),
            }
            for event in access.trail(person)
        ],
    }
