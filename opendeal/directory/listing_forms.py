"""The listing form: one page for everything an owner or editor can change, read from and
turned back into a `moderation.snapshot` dictionary.

Lists (contacts, costs, locations) get a fixed number of rows, each with the id of the record
it edits in a hidden field; an empty row is dropped. Opening hours are a pair of times per
weekday (both empty means closed) and a note.
"""

import datetime
from typing import Any

from django import forms
from localflavor.gb.forms import GBPostcodeField

from opendeal.core import form_fields

from . import schedules
from .models import Service, TaxonomyTerm

CONTACT_ROWS = 3
COST_ROWS = 3
LOCATION_ROWS = 2
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


def _short(label: str, width: str = "10", **kwargs) -> forms.CharField:
    return form_fields.narrow(form_fields.text(label, required=False, **kwargs), width)


def _age(label: str) -> forms.IntegerField:
    return form_fields.narrow(
        forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            max_value=120,
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            error_messages={"invalid": "Enter the age as a whole number, like 16"},
        ),
        "3",
    )


def _time(label: str) -> forms.TimeField:
    return form_fields.narrow(
        forms.TimeField(
            label=label,
            required=False,
            input_formats=TIME_FORMATS,
            error_messages={"invalid": "Enter a time in 24-hour format, like 09:30 or 17:00"},
        ),
        "5",
    )


class ListingForm(forms.Form):
    name = form_fields.text("Name of the service", "Enter the name of the service")
    description = form_fields.long_text("Description", required=False)
    url = form_fields.text("Website", required=False, max_length=500)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    status = forms.ChoiceField(label="Status", choices=Service.Status.choices)
    minimum_age = _age("Youngest age")
    maximum_age = _age("Oldest age")
    taxonomy_terms = forms.MultipleChoiceField(
        label="Categories", required=False, widget=forms.CheckboxSelectMultiple
    )
    hours_note = form_fields.text(
        "Anything else about opening times",
        required=False,
        help_text="For example: closed on bank holidays, or by appointment only",
    )
    note = form_fields.long_text("What has changed, and why (optional)", required=False, rows=3)

    def __init__(self, *args, listing: dict[str, Any], **kwargs) -> None:
        super().__init__(*args, initial=self._initial(listing), **kwargs)
        self.listing = listing
        self.fields["taxonomy_terms"].choices = [
            (str(term.id), term.name) for term in TaxonomyTerm.objects.order_by("name")
        ]
        for index in range(CONTACT_ROWS):
            self.fields[f"contact_{index}_id"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"contact_{index}_name"] = _short("Name or team", "20")
            self.fields[f"contact_{index}_title"] = _short("Job title", "20")
            self.fields[f"contact_{index}_phone"] = _short("Phone number", "20")
            self.fields[f"contact_{index}_phone_description"] = _short("About this number", "20")
        for index in range(COST_ROWS):
            self.fields[f"cost_{index}_id"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"cost_{index}_option"] = _short("What it is for", "20")
            self.fields[f"cost_{index}_amount"] = form_fields.narrow(
                forms.DecimalField(
                    label="Amount in pounds (0 if free)",
                    required=False,
                    min_value=0,
                    max_digits=10,
                    decimal_places=2,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                    error_messages={"invalid": "Enter the amount in pounds, like 3.50"},
                ),
                "5",
            )
            self.fields[f"cost_{index}_amount_description"] = _short("In words", "20")
        for index in range(LOCATION_ROWS):
            self.fields[f"location_{index}_id"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )
            self.fields[f"location_{index}_name"] = _short("Name of the place", "20")
            self.fields[f"location_{index}_address_1"] = _short("Address line 1", "20")
            self.fields[f"location_{index}_address_2"] = _short("Address line 2", "20")
            self.fields[f"location_{index}_city"] = _short("Town or city", "20")
            self.fields[f"location_{index}_postal_code"] = form_fields.narrow(
                GBPostcodeField(
                    label="Postcode",
                    required=False,
                    error_messages={"invalid": "Enter a real postcode, like WN1 1AA"},
                ),
                "10",
            )
        for code, name in schedules.WEEKDAYS:
            self.fields[f"{code}_opens"] = _time(f"{name} opens")
            self.fields[f"{code}_closes"] = _time(f"{name} closes")

    @staticmethod
    def _initial(listing: dict[str, Any]) -> dict[str, Any]:
        initial = {
            name: listing.get(name)
            for name in (
                "name",
                "description",
                "url",
                "email",
                "status",
                "minimum_age",
                "maximum_age",
            )
        }
        initial["taxonomy_terms"] = listing.get("taxonomy_terms", [])
        for index, contact in enumerate(listing.get("contacts", [])[:CONTACT_ROWS]):
            phone = (contact.get("phones") or [{}])[0]
            initial.update(
                {
                    f"contact_{index}_id": contact.get("id", ""),
                    f"contact_{index}_name": contact.get("name", ""),
                    f"contact_{index}_title": contact.get("title", ""),
                    f"contact_{index}_phone": phone.get("number", ""),
                    f"contact_{index}_phone_description": phone.get("description", ""),
                }
            )
        for index, cost in enumerate(listing.get("cost_options", [])[:COST_ROWS]):
            for name in ("id", "option", "amount", "amount_description"):
                initial[f"cost_{index}_{name}"] = cost.get(name)
        for index, location in enumerate(listing.get("locations", [])[:LOCATION_ROWS]):
            for name in ("id", "name", "address_1", "address_2", "city", "postal_code"):
                initial[f"location_{index}_{name}"] = location.get(name, "")
        hours = schedules.OpeningHours.from_json(listing.get("opening_hours"))
        for code, (opens, closes) in hours.days.items():
            initial[f"{code}_opens"] = opens.strftime("%H:%M")
            initial[f"{code}_closes"] = closes.strftime("%H:%M")
        initial["hours_note"] = hours.note
        return initial

    # Grouped fields for the template --------------------------------------------------------

    def rows(self, prefix: str, count: int) -> list[list[forms.BoundField]]:
        return [
            [self[name] for name in self.fields if name.startswith(f"{prefix}_{index}_")]
            for index in range(count)
        ]

    def contact_rows(self):
        return self.rows("contact", CONTACT_ROWS)

    def cost_rows(self):
        return self.rows("cost", COST_ROWS)

    def location_rows(self):
        return self.rows("location", LOCATION_ROWS)

    def day_rows(self):
        return [
            (name, self[f"{code}_opens"], self[f"{code}_closes"])
            for code, name in schedules.WEEKDAYS
        ]

    # Validation -------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        minimum, maximum = data.get("minimum_age"), data.get("maximum_age")
        if minimum is not None and maximum is not None and maximum < minimum:
            self.add_error(
                "maximum_age", "The oldest age must be the same as or more than the youngest"
            )
        url = (data.get("url") or "").strip()
        if url and not url.lower().startswith(("https://", "http://")):
            self.add_error("url", "Enter a website address that starts with https://")
        for code, name in schedules.WEEKDAYS:
            opens, closes = data.get(f"{code}_opens"), data.get(f"{code}_closes")
            if (opens is None) != (closes is None) and f"{code}_opens" not in self.errors:
                missing = f"{code}_closes" if closes is None else f"{code}_opens"
                self.add_error(missing, f"Enter both times for {name}, or neither if it is closed")
            elif opens and closes and closes <= opens:
                self.add_error(
                    f"{code}_closes", f"The closing time on {name} must be after it opens"
                )
        for index in range(CONTACT_ROWS):
            if data.get(f"contact_{index}_phone_description") and not data.get(
                f"contact_{index}_phone"
            ):
                self.add_error(f"contact_{index}_phone", "Enter the phone number")
        for index in range(LOCATION_ROWS):
            filled = any(
                data.get(f"location_{index}_{name}")
                for name in ("name", "address_1", "address_2", "city", "postal_code")
            )
            for name, message in (
                ("address_1", "Enter the first line of the address"),
                ("city", "Enter the town or city"),
                ("postal_code", "Enter the postcode"),
            ):
                if (
                    filled
                    and not data.get(f"location_{index}_{name}")
                    and f"location_{index}_{name}" not in self.errors
                ):
                    self.add_error(f"location_{index}_{name}", message)
        return data

    # Back to a snapshot -----------------------------------------------------------------------

    def to_listing(self) -> dict[str, Any]:
        """The listing as the form says it should be (call after is_valid())."""
        data = self.cleaned_data
        base_contacts = {contact["id"]: contact for contact in self.listing.get("contacts", [])}
        listing = {
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "url": data["url"].strip(),
            "email": data["email"].strip(),
            "status": data["status"],
            "minimum_age": data["minimum_age"],
            "maximum_age": data["maximum_age"],
            "taxonomy_terms": sorted(data["taxonomy_terms"]),
            "contacts": [],
            "cost_options": [],
            "locations": [],
        }
        for index in range(CONTACT_ROWS):
            name, title, number = (
                data[f"contact_{index}_{field}"].strip() for field in ("name", "title", "phone")
            )
            if not (name or title or number):
                continue
            contact_id = data[f"contact_{index}_id"]
            original_phones = base_contacts.get(contact_id, {}).get("phones", [])
            phones = (
                [
                    {
                        "id": original_phones[0]["id"] if original_phones else "",
                        "number": number,
                        "description": data[f"contact_{index}_phone_description"].strip(),
                    }
                ]
                if number
                else []
            )
            # Further numbers the form does not show stay as they were.
            phones += original_phones[1:]
            listing["contacts"].append(
                {"id": contact_id, "name": name, "title": title, "phones": phones}
            )
        for index in range(COST_ROWS):
            option = data[f"cost_{index}_option"].strip()
            amount = data[f"cost_{index}_amount"]
            words = data[f"cost_{index}_amount_description"].strip()
            if option or amount is not None or words:
                listing["cost_options"].append(
                    {
                        "id": data[f"cost_{index}_id"],
                        "option": option,
                        "amount": None if amount is None else f"{amount:.2f}",
                        "amount_description": words,
                    }
                )
        for index in range(LOCATION_ROWS):
            fields = {
                name: (data[f"location_{index}_{name}"] or "").strip()
                for name in ("id", "name", "address_1", "address_2", "city", "postal_code")
            }
            if fields["address_1"]:
                listing["locations"].append(fields)
        hours = schedules.OpeningHours(note=data["hours_note"].strip())
        for code in schedules.DAY_CODES:
            opens, closes = data[f"{code}_opens"], data[f"{code}_closes"]
            if opens and closes:
                hours.days[code] = (_minute(opens), _minute(closes))
        listing["opening_hours"] = hours.to_json()
        # Items beyond the rows the form shows (from an imported feed, say) stay as they were.
        listing["contacts"] += self.listing.get("contacts", [])[CONTACT_ROWS:]
        listing["cost_options"] += self.listing.get("cost_options", [])[COST_ROWS:]
        listing["locations"] += self.listing.get("locations", [])[LOCATION_ROWS:]
        return listing


def _minute(moment: datetime.time) -> datetime.time:
    return moment.replace(second=0, microsecond=0)


class RejectForm(forms.Form):
    reason = form_fields.long_text(
        "Why is the change rejected?",
        "Enter why the change is rejected",
        rows=4,
        help_text="The person who proposed it is emailed this reason.",
    )
