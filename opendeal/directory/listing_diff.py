"""Two listing snapshots side by side, field by field, in words, for the moderation queue and the
history. Each row says whether it changed, so the page can mark it in text, not colour alone."""

from dataclasses import dataclass
from typing import Any

from . import schedules
from .models import Service, TaxonomyTerm


@dataclass(frozen=True)
class DiffRow:
    label: str
    current: list[str]
    proposed: list[str]

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


def _ages(listing: dict) -> list[str]:
    minimum, maximum = listing.get("minimum_age"), listing.get("maximum_age")
    if minimum is None and maximum is None:
        return ["Any age"]
    return [
        f"From {minimum if minimum is not None else 0} to {maximum if maximum is not None else 'any age'}"
    ]


def _contacts(listing: dict) -> list[str]:
    lines = []
    for contact in listing.get("contacts", []):
        who = ", ".join(part for part in (contact.get("name"), contact.get("title")) if part)
        phones = "; ".join(
            " ".join(
                part
                for part in (
                    phone["number"],
                    f"({phone['description']})" if phone.get("description") else "",
                )
                if part
            )
            for phone in contact.get("phones", [])
        )
        lines.append(f"{who or 'Contact'}: {phones or 'no phone'}")
    return lines


def _costs(listing: dict) -> list[str]:
    lines = []
    for cost in listing.get("cost_options", []):
        amount = cost.get("amount")
        price = (
            "no amount"
            if amount in (None, "")
            else ("free" if float(amount) == 0 else f"£{amount}")
        )
        words = " – ".join(
            part for part in (cost.get("option"), price, cost.get("amount_description")) if part
        )
        lines.append(words)
    return lines


def _locations(listing: dict) -> list[str]:
    return [
        ", ".join(
            part
            for part in (
                location.get(name)
                for name in ("name", "address_1", "address_2", "city", "postal_code")
            )
            if part
        )
        for location in listing.get("locations", [])
    ]


def _terms(listing: dict, names: dict[str, str]) -> list[str]:
    return sorted(names.get(term, "Unknown category") for term in listing.get("taxonomy_terms", []))


def _text(value: Any) -> list[str]:
    return [str(value)] if value not in (None, "") else []


def compare(current: dict, proposed: dict) -> list[DiffRow]:
    """Every field of the listing, current beside proposed."""
    term_ids = set(current.get("taxonomy_terms", [])) | set(proposed.get("taxonomy_terms", []))
    names = {str(term.id): term.name for term in TaxonomyTerm.objects.filter(id__in=term_ids)}
    statuses = dict(Service.Status.choices)
    rows = [
        ("Name", lambda listing: _text(listing.get("name"))),
        ("Description", lambda listing: _text(listing.get("description"))),
        ("Website", lambda listing: _text(listing.get("url"))),
        ("Email", lambda listing: _text(listing.get("email"))),
        (
            "Status",
            lambda listing: _text(statuses.get(listing.get("status"), listing.get("status"))),
        ),
        ("Ages", _ages),
        ("Contacts", _contacts),
        ("Costs", _costs),
        ("Locations", _locations),
        ("Categories", lambda listing: _terms(listing, names)),
        (
            "Opening hours",
            lambda listing: schedules.OpeningHours.from_json(
                listing.get("opening_hours")
            ).describe(),
        ),
    ]
    return [DiffRow(label, read(current), read(proposed)) for label, read in rows]
