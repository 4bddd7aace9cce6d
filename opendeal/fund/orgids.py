"""360Giving organisation identifiers for applicants, by the 360Giving rules (org-id.guide).

A registered charity in England and Wales is GB-CHC-<charity number>, a Scottish one
GB-SC-<SC number>, a company GB-COH-<company number>. An organisation that is both a charity
and a company is identified by its charity number, as 360Giving asks. A group with neither is
given an id under the council's own 360Giving prefix: <OPENDEAL_360G_PREFIX>-<public id>
(the prefix setting already starts "360G-").
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import OrganisationKind

ENGLAND_WALES_CHARITY = re.compile(r"^[0-9]{6,8}$")
SCOTTISH_CHARITY = re.compile(r"^SC[0-9]{6}$")
# Eight characters: eight digits (England and Wales), or two letters and six digits
# (SC Scotland, NI Northern Ireland, OC limited liability partnership, and so on).
COMPANY = re.compile(r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6})$")

CHARITY_NUMBER_PROBLEM = (
    "Enter the charity number as it appears on the register of charities, like 1123456 "
    "(or SC012345 for a Scottish charity)"
)
COMPANY_NUMBER_PROBLEM = (
    "Enter the company number as 8 characters, like 01234567 or SC123456 (with any letters first)"
)
# Kinds that must give a charity number, a company number, or both.
NEEDS_CHARITY_NUMBER = {
    OrganisationKind.REGISTERED_CHARITY,
    OrganisationKind.CIO,
    OrganisationKind.CHARITABLE_COMPANY,
}
NEEDS_COMPANY_NUMBER = {OrganisationKind.COMPANY, OrganisationKind.CHARITABLE_COMPANY}


def normalise_charity_number(text: str) -> str:
    """The charity number without spaces, upper case. Raises ValidationError if not one."""
    number = re.sub(r"\s+", "", text or "").upper()
    if not (ENGLAND_WALES_CHARITY.match(number) or SCOTTISH_CHARITY.match(number)):
        raise ValidationError(CHARITY_NUMBER_PROBLEM)
    return number


def normalise_company_number(text: str) -> str:
    """The company number as Companies House writes it: 8 characters, upper case, numbers of
    fewer than 8 digits padded with leading zeros (1234567 -> 01234567)."""
    number = re.sub(r"\s+", "", text or "").upper()
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    if not COMPANY.match(number):
        raise ValidationError(COMPANY_NUMBER_PROBLEM)
    return number


def clean_numbers(kind: str, charity_number: str, company_number: str) -> tuple[str, str]:
    """Check the numbers the kind of organisation needs; return them tidied. Problems are
    raised keyed by field, so a form can show them beside the box."""
    errors: dict[str, str] = {}
    charity, company = (charity_number or "").strip(), (company_number or "").strip()
    if kind == OrganisationKind.UNREGISTERED_GROUP:
        # An unregistered group has no numbers, whatever was typed before the kind changed.
        return "", ""
    if charity:
        try:
            charity = normalise_charity_number(charity)
        except ValidationError as error:
            errors["charity_number"] = error.messages[0]
    elif kind in NEEDS_CHARITY_NUMBER:
        errors["charity_number"] = "Enter the charity number"
    if company:
        try:
            company = normalise_company_number(company)
        except ValidationError as error:
            errors["company_number"] = error.messages[0]
    elif kind in NEEDS_COMPANY_NUMBER:
        errors["company_number"] = "Enter the company number"
    if errors:
        raise ValidationError(errors)
    return charity, company


def org_id_for(kind: str, charity_number: str, company_number: str, public_id: uuid.UUID) -> str:
    """The 360Giving organisation identifier (numbers already tidied by `clean_numbers`)."""
    if kind != OrganisationKind.UNREGISTERED_GROUP:
        if charity_number:
            if SCOTTISH_CHARITY.match(charity_number):
                return f"GB-SC-{charity_number}"
            return f"GB-CHC-{charity_number}"
        if company_number:
            return f"GB-COH-{company_number}"
    return f"{settings.OPENDEAL_360G_PREFIX}-{public_id}"
