"""Read an Open Referral UK (HSDS-UK 3.0) package into the directory: all of it or nothing.

Two layouts are read:

- JSON: a list of full services (as `/services/{id}` returns them), a single full service, or
  the API's paginated list `{"contents": [...]}`. A package written by our exporter may also
  carry top-level `organizations` and `taxonomies` lists.
- CSV: a folder of the standard's CSV files (`services.csv`, `locations.csv`, ...), each read by
  its header names, so column order and extra columns do not matter.

Records are upserted by their `id`. Everything is checked before anything is written, and the
writes run in one transaction, so a package with any problem changes nothing; the error names
every problem by file, row (CSV) or JSON path, and field. Besides each field's type, the checks
refuse text the database cannot store (NUL, unpaired surrogates), coordinates outside WGS84's
±90° latitude and ±180° longitude, and two copies of one record (the same id) that give a field
different values; copies that agree, or where one only fills in fields the other leaves out,
are one record.

A service new to the directory starts its "last reviewed" date (`last_reviewed_on`, ours) from
the feed's `assured_date`, else its `last_modified`, else the day of the import, never later
than that day; a re-import moves an existing date forward to a later one from the feed.
"""

import csv
import datetime as dt
import functools
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone

from opendeal.core import audit
from opendeal.core.models import User
from opendeal.directory.oruk.spec import BY_KEY, OBJECT_TYPES, ObjectType, model_field

# Problems listed in the error's message; all of them stay on `problems`.
MESSAGE_PROBLEM_LIMIT = 20


@dataclass(frozen=True)
class Problem:
    where: str
    field: str | None
    message: str

    def __str__(self) -> str:
        if self.field is None:
            return f"{self.where}: {self.message}"
        return f"{self.where}, field “{self.field}”: {self.message}"


class OrukImportError(Exception):
    """The package was refused; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"- {problem}" for problem in problems[:MESSAGE_PROBLEM_LIMIT])
        more = len(problems) - MESSAGE_PROBLEM_LIMIT
        if more > 0:
            shown += f"\n- and {more} more"
        super().__init__(f"The package was not imported ({len(problems)} problems):\n{shown}")


@dataclass
class ImportReport:
    # Object type (the standard's name, e.g. "service") -> {"created": n, "updated": n}.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # Files of a CSV package that are not read (e.g. programs.csv, required_documents.csv).
    ignored_files: list[str] = field(default_factory=list)

    def created(self, key: str) -> int:
        return self.counts.get(key, {}).get("created", 0)

    def updated(self, key: str) -> int:
        return self.counts.get(key, {}).get("updated", 0)


@dataclass
class Occurrence:
    """One object as found in the package, before it is checked."""

    key: str
    where: str
    data: dict[str, Any]


class PackageReader:
    """Collects occurrences and problems from a package's files."""

    def __init__(self) -> None:
        self.occurrences: list[Occurrence] = []
        self.problems: list[Problem] = []
        self.ignored_files: list[str] = []

    # --- JSON -----------------------------------------------------------------------------

    def read_json_file(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            self.problems.append(Problem(path.name, None, f"is not readable JSON ({error})"))
            return
        self.read_json(data, path.name)

    def read_json(self, data: Any, source: str) -> None:
        if isinstance(data, list):
            services, prefix = data, ""
        elif isinstance(data, dict) and "contents" in data:
            services, prefix = data["contents"], "contents"
            for index, organization in enumerate(_list_at(data, "organizations")):
                self._organization(organization, f"{source}: organizations[{index}]")
            for index, taxonomy in enumerate(_list_at(data, "taxonomies")):
                self._taxonomy(taxonomy, f"{source}: taxonomies[{index}]")
        elif isinstance(data, dict):
            self._service(data, f"{source}: $")
            return
        else:
            self.problems.append(
                Problem(source, None, "must be a list of services or an object with “contents”")
            )
            return
        if not isinstance(services, list):
            self.problems.append(Problem(f"{source}: {prefix}", None, "must be a list"))
            return
        for index, service in enumerate(services):
            self._service(service, f"{source}: {prefix}[{index}]")

    def _take(
        self, key: str, obj: Any, where: str, implied: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """One object's own fields, with the references its place in the JSON implies."""
        if not isinstance(obj, dict):
            self.problems.append(Problem(where, None, "must be an object"))
            return None
        object_type = BY_KEY[key]
        data = {name: obj[name] for name in ("id", *object_type.fields) if name in obj}
        for name, value in (implied or {}).items():
            given = data.get(name)
            if given not in (None, "") and str(given) != str(value):
                self.problems.append(
                    Problem(where, name, f"is “{given}” but it is inside “{value}”")
                )
            data[name] = value
        self.occurrences.append(Occurrence(key, where, data))
        return data

    def _children(
        self, parent: dict, name: str, key: str, where: str, implied: dict[str, Any]
    ) -> list[tuple[dict, dict[str, Any], str]]:
        """Take each child of `parent[name]`: (the child, its taken data, where it is)."""
        taken = []
        for index, child in enumerate(_list_at(parent, name, where, self.problems)):
            data = self._take(key, child, f"{where}.{name}[{index}]", implied)
            if data is not None:
                taken.append((child, data, f"{where}.{name}[{index}]"))
        return taken

    def _attributes(self, parent: dict, where: str, link_type: str) -> None:
        implied = {"link_id": parent.get("id")}
        for attribute, data, attribute_where in self._children(
            parent, "attributes", "attribute", where, implied
        ):
            data.setdefault("link_type", link_type)
            term = attribute.get("taxonomy_term")
            if term is not None:
                term_data = self._take("taxonomy_term", term, f"{attribute_where}.taxonomy_term")
                if term_data is not None:
                    data.setdefault("taxonomy_term_id", term_data.get("id"))

    def _organization(self, organization: Any, where: str) -> dict | None:
        data = self._take("organization", organization, where)
        if data is None:
            return None
        implied = {"organization_id": data.get("id")}
        self._children(
            organization, "organization_identifiers", "organization_identifier", where, implied
        )
        self._attributes(organization, where, "organization")
        return data

    def _location(self, location: Any, where: str) -> dict | None:
        data = self._take("location", location, where)
        if data is None:
            return None
        implied = {"location_id": data.get("id")}
        self._children(location, "addresses", "address", where, implied)
        self._children(location, "accessibility", "accessibility", where, implied)
        self._attributes(location, where, "location")
        return data

    def _taxonomy(self, taxonomy: Any, where: str) -> None:
        data = self._take("taxonomy", taxonomy, where)
        if data is not None:
            implied = {"taxonomy_id": data.get("id")}
            self._children(taxonomy, "taxonomy_terms", "taxonomy_term", where, implied)

    def _service(self, service: Any, where: str) -> None:
        if isinstance(service, dict) and isinstance(service.get("organization"), dict):
            organization = self._organization(service["organization"], f"{where}.organization")
            implied_organization = {"organization_id": (organization or {}).get("id")}
        else:
            implied_organization = {}
        data = self._take("service", service, where, implied_organization)
        if data is None:
            return
        implied = {"service_id": data.get("id")}
        for name, key in (
            ("schedules", "schedule"),
            ("service_areas", "service_area"),
            ("languages", "language"),
            ("funding", "funding"),
            ("cost_options", "cost_option"),
        ):
            self._children(service, name, key, where, implied)
        for contact, contact_data, contact_where in self._children(
            service, "contacts", "contact", where, implied
        ):
            self._children(
                contact, "phones", "phone", contact_where, {"contact_id": contact_data.get("id")}
            )
        for link, link_data, link_where in self._children(
            service, "service_at_locations", "service_at_location", where, implied
        ):
            location = link.get("location")
            if location is not None:
                location_data = self._location(location, f"{link_where}.location")
                if location_data is not None:
                    link_data.setdefault("location_id", location_data.get("id"))
        self._attributes(service, where, "service")

    # --- CSV ------------------------------------------------------------------------------

    def read_csv_folder(self, folder: Path) -> None:
        """Every file of each object type: packages (the standard's own example among them)
        carry some tables under two names, e.g. `address.csv` and the fuller `addresses.csv`,
        and a record in both is read as one, with the columns of both."""
        read: set[str] = set()
        for object_type in OBJECT_TYPES:
            paths = [folder / name for name in object_type.csv_files if (folder / name).is_file()]
            read.update(path.name for path in paths)
            rows = [self._read_csv(object_type, path) for path in paths]
            self.occurrences.extend(
                _merge_files(object_type.key, rows, self.problems)
                if len(rows) > 1
                else (rows[0] if rows else [])
            )
        self.ignored_files = sorted(
            path.name for path in folder.glob("*.csv") if path.name not in read
        )

    def _read_csv(self, object_type: ObjectType, path: Path) -> list[Occurrence]:
        occurrences: list[Occurrence] = []
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                reader = csv.DictReader(stream)
                headers = set(reader.fieldnames or ())
                if "id" not in headers:
                    self.problems.append(Problem(path.name, "id", "the header has no “id” column"))
                    return []
                wanted = [name for name in ("id", *object_type.fields) if name in headers]
                # Row numbers as a spreadsheet shows them: the header is row 1.
                for row_number, row in enumerate(reader, start=2):
                    data = {name: row[name] for name in wanted if row.get(name) not in (None, "")}
                    occurrences.append(
                        Occurrence(object_type.key, f"{path.name} row {row_number}", data)
                    )
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            self.problems.append(Problem(path.name, None, f"is not a readable CSV file ({error})"))
        return occurrences


def _merge_files(
    key: str, files: list[list[Occurrence]], problems: list[Problem]
) -> list[Occurrence]:
    """The rows of two or more files of one object type, a record in several read as one with
    the columns of all; a column given different values is a problem naming both rows."""
    merged: dict[str, Occurrence] = {}
    unnamed: list[Occurrence] = []
    for occurrences in files:
        for occurrence in occurrences:
            record_id = occurrence.data.get("id")
            earlier = merged.get(record_id) if record_id is not None else None
            if record_id is None:
                unnamed.append(occurrence)
            elif earlier is None:
                merged[record_id] = occurrence
            else:
                for name, value in occurrence.data.items():
                    given = earlier.data.setdefault(name, value)
                    if given != value:
                        problems.append(
                            Problem(
                                occurrence.where,
                                name,
                                f"is “{value}” but {earlier.where} gives “{given}” for the "
                                f"same {key}",
                            )
                        )
                earlier.where += f" (with {occurrence.where})"
    return [*merged.values(), *unnamed]


def _list_at(
    parent: dict, name: str, where: str = "", problems: list[Problem] | None = None
) -> list:
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        if problems is not None:
            problems.append(Problem(where, name, "must be a list"))
        return []
    return value


# --- Checking and writing -------------------------------------------------------------------


# Characters PostgreSQL cannot hold in text: NUL, and the halves of a UTF-16 surrogate pair,
# which are not characters in UTF-8 (JSON's "\\ud800" unpaired). Refused on every database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# WGS84 bounds, in degrees, of the fields that hold coordinates: (object type, field) -> bounds.
COORDINATE_BOUNDS = {
    ("location", "latitude"): (Decimal(-90), Decimal(90)),
    ("location", "longitude"): (Decimal(-180), Decimal(180)),
}


def _unstorable_text(value: str) -> str | None:
    """Why the database could not store `value`, or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    character = found.group()
    name = "a NUL character" if character == "\x00" else "an unpaired surrogate"
    return f"holds {name} (U+{ord(character):04X}) at position {found.start() + 1}"


def _is_required(model_field_: models.Field) -> bool:
    return not model_field_.null and not model_field_.has_default()


def _convert(model_field_: models.Field, raw: Any) -> Any:
    """A raw JSON or CSV value as the model field's Python value; raises ValueError."""
    if isinstance(raw, dict | list | bool):
        raise ValueError("must be a single value")
    if isinstance(model_field_, models.IntegerField) and isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"“{raw}” is not a whole number")
        raw = int(raw)
    if isinstance(model_field_, models.TextField | models.CharField):
        raw = str(raw)
        unstorable = _unstorable_text(raw)
        if unstorable is not None:
            raise ValueError(unstorable)
    if isinstance(model_field_, models.DecimalField) and isinstance(raw, float):
        raw = repr(raw)  # via text, so 53.1 stays 53.1 rather than its binary expansion
    try:
        value = model_field_.clean(raw, None)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from error
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# A record's id is read again in each of its children (`service_id`, `location_id`, ...),
# and an organization's in each of its services: parsed ids are kept, up to a limit.
_parsed_uuids: dict[str, uuid.UUID] = {}
PARSED_UUIDS_KEPT = 200_000


def _parse_uuid(raw: str) -> uuid.UUID:
    parsed = _parsed_uuids.get(raw)
    if parsed is None:
        if len(_parsed_uuids) >= PARSED_UUIDS_KEPT:
            _parsed_uuids.clear()
        parsed = _parsed_uuids[raw] = uuid.UUID(raw)
    return parsed


def _decimal_converter(model_field_: models.DecimalField, slow: Callable) -> Callable:
    whole_digits = model_field_.max_digits - model_field_.decimal_places

    def to_decimal(raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            return slow(raw)
        try:
            value = Decimal(repr(raw) if isinstance(raw, float) else raw)
        except InvalidOperation:
            return slow(raw)
        if not value.is_finite():
            return slow(raw)
        _sign, digits, exponent = value.as_tuple()
        places = max(0, -exponent)
        if places > model_field_.decimal_places or len(digits) + exponent > whole_digits:
            return slow(raw)  # for Django's message
        return value

    return to_decimal


@functools.cache
def _converter(model_field_: models.Field) -> Callable[[Any], Any]:
    """`_convert` for one field, with a quick path for the common well-formed values (a
    package of 100,000 services holds millions) that gives the same values and messages."""
    slow = functools.partial(_convert, model_field_)
    if isinstance(model_field_, models.UUIDField):

        def to_uuid(raw: Any) -> Any:
            if not isinstance(raw, str):
                return slow(raw)
            try:
                return _parse_uuid(raw)
            except ValueError:
                raise ValueError(f"“{raw}” is not a valid UUID.") from None

        return to_uuid
    if isinstance(model_field_, models.TextField | models.CharField):
        allowed = {str(value) for value, _label in model_field_.flatchoices}
        longest = model_field_.max_length

        def to_text(raw: Any) -> Any:
            if (
                isinstance(raw, str)
                and (not allowed or raw in allowed)
                and (longest is None or len(raw) <= longest)
                and _UNSTORABLE.search(raw) is None
            ):
                return raw
            return slow(raw)

        return to_text
    if isinstance(model_field_, models.DecimalField):
        return _decimal_converter(model_field_, slow)
    if isinstance(model_field_, models.TimeField):

        def to_time(raw: Any) -> Any:
            if isinstance(raw, str):
                try:
                    value = dt.time.fromisoformat(raw)
                except ValueError:
                    return slow(raw)
                if value.tzinfo is None:
                    return value
            return slow(raw)

        return to_time
    return slow


@functools.cache
def _field_plan(
    key: str,
) -> tuple[tuple[str, str, bool, Any, Callable[[Any], Any], str | None], ...]:
    """How to check each of an object type's fields: (the standard's name, attname, required,
    value when empty, converter, the object type it references or None)."""
    object_type = BY_KEY[key]
    plan = []
    for name in ("id", *object_type.fields):
        target = model_field(object_type, name)
        reference = object_type.references.get(name)
        empty = None if target.null or _is_required(target) else target.get_default()
        convert = _converter(target.target_field if reference else target)
        bounds = COORDINATE_BOUNDS.get((key, name))
        if bounds is not None:
            convert = _bounded(convert, *bounds)
        plan.append((name, target.attname, _is_required(target), empty, convert, reference))
    return tuple(plan)


def _bounded(convert: Callable[[Any], Any], lowest: Decimal, highest: Decimal) -> Callable:
    def to_bounded(raw: Any) -> Any:
        value = convert(raw)
        if not lowest <= value <= highest:
            raise ValueError(f"{value} is outside {lowest} to {highest} degrees")
        return value

    return to_bounded


@functools.cache
def _empty_values(key: str) -> tuple[tuple[str, Any], ...]:
    """(attname, value when not given) of an object type's fields other than `id`."""
    return tuple(
        (attname, empty) for name, attname, _r, empty, _c, _ref in _field_plan(key) if name != "id"
    )


def _check(
    occurrences: list[Occurrence], problems: list[Problem]
) -> dict[str, dict[uuid.UUID, dict[str, Any]]]:
    """Convert every occurrence, check references, and merge occurrences of the same id: the
    fields each gives, a field given two different values being a problem naming both."""
    merged: dict[str, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)
    # Where each merged record was first found, to name it beside a copy that disagrees.
    first_where: dict[tuple[str, uuid.UUID], str] = {}
    # (where, field, target key, target id) for every reference, checked once all ids are known.
    references: list[tuple[str, str, str, uuid.UUID]] = []
    # Ids in the package, even of records with problems, so that a reference to a record with a
    # problem is not reported a second time as a reference to nothing.
    present: dict[str, set[uuid.UUID]] = defaultdict(set)
    # The first occurrence of each (type, id): a service's organization or category repeats
    # in every service, and an identical repeat need not be checked again.
    first_seen: dict[tuple[str, str], dict[str, Any]] = {}
    for occurrence in occurrences:
        raw_id = occurrence.data.get("id")
        if isinstance(raw_id, str):
            earlier = first_seen.setdefault((occurrence.key, raw_id), occurrence.data)
            if earlier is not occurrence.data and earlier == occurrence.data:
                continue
        # Only the fields this occurrence gives; the others are filled in once all are merged.
        values: dict[str, Any] = {}
        ok = True
        data = occurrence.data
        for name, attname, required, _empty, convert, reference in _field_plan(occurrence.key):
            raw = data.get(name)
            if raw is None or raw == "":
                if required:
                    problems.append(Problem(occurrence.where, name, "is required"))
                    ok = False
                continue
            try:
                value = convert(raw)
            except ValueError as error:
                problems.append(Problem(occurrence.where, name, str(error)))
                ok = False
                continue
            if reference is not None:
                references.append((occurrence.where, name, reference, value))
            values[attname] = value
        if ok:
            record_id = values["id"]
            present[occurrence.key].add(record_id)
            record = merged[occurrence.key].get(record_id)
            if record is None:
                merged[occurrence.key][record_id] = values
                first_where[(occurrence.key, record_id)] = occurrence.where
            else:
                _merge_copy(occurrence, record, values, first_where, problems)
        elif "id" in values:
            present[occurrence.key].add(values["id"])
    for key, records in merged.items():
        empties = _empty_values(key)
        for record in records.values():
            for attname, empty in empties:
                record.setdefault(attname, empty)
    missing_by_key: dict[str, set[uuid.UUID]] = defaultdict(set)
    for _where, _name, key, target_id in references:
        if target_id not in present[key]:
            missing_by_key[key].add(target_id)
    in_directory = {
        key: _existing_ids(BY_KEY[key].model, list(ids)) for key, ids in missing_by_key.items()
    }
    for where, name, key, target_id in references:
        if target_id not in present[key] and target_id not in in_directory.get(key, set()):
            problems.append(
                Problem(where, name, f"there is no {key} “{target_id}” in the package or directory")
            )
    return merged


def _merge_copy(
    occurrence: Occurrence,
    record: dict[str, Any],
    values: dict[str, Any],
    first_where: dict[tuple[str, uuid.UUID], str],
    problems: list[Problem],
) -> None:
    """Merge a further copy of a record into it; a field the two give differently is refused,
    as neither can be taken to be the publisher's meaning."""
    fields = {attname: name for name, attname, *_rest in _field_plan(occurrence.key)}
    for attname, value in values.items():
        given = record.setdefault(attname, value)
        if given != value:
            first = first_where[(occurrence.key, values["id"])]
            problems.append(
                Problem(
                    occurrence.where,
                    fields[attname],
                    f"is “{value}” but the same {occurrence.key} at {first} has “{given}”",
                )
            )


# Rows per INSERT/UPDATE and ids per lookup: under SQLite's 999 query parameters.
WRITE_BATCH_SIZE = 500
LOOKUP_BATCH_SIZE = 900


def _existing_ids(model: type[models.Model], ids: list[uuid.UUID]) -> set[uuid.UUID]:
    return set(_existing_values(model, ids, "pk"))


def _existing_values(
    model: type[models.Model], ids: list[uuid.UUID], field: str
) -> dict[uuid.UUID, Any]:
    """`field` of each of these records already in the directory, by id, looked up in batches."""
    found: dict[uuid.UUID, Any] = {}
    for start in range(0, len(ids), LOOKUP_BATCH_SIZE):
        batch = ids[start : start + LOOKUP_BATCH_SIZE]
        found.update(model.objects.filter(pk__in=batch).values_list("pk", field))
    return found


def _adapter(model_field_: models.Field, connection) -> Callable[[Any], Any]:
    """A checked Python value as the database driver takes it, for one field."""
    if isinstance(model_field_, models.ForeignKey):
        return _adapter(model_field_.target_field, connection)
    if isinstance(model_field_, models.TextField | models.CharField):
        return lambda value: value
    if isinstance(model_field_, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: None if value is None else value.hex
    return lambda value: model_field_.get_db_prep_save(value, connection)


def _insert(model: type[models.Model], records: list[dict[str, Any]], now: dt.datetime) -> None:
    """INSERT checked records (each with every field the standard has) with executemany: bulk_create builds a model instance and
    compiles every value of every row, which costs more than the whole check at this size.
    Fields the standard does not have take their defaults; `modified` is `now`."""
    connection = connections[router.db_for_write(model)]
    columns = [
        column for column in model._meta.concrete_fields if column.db_default is models.NOT_PROVIDED
    ]
    # Per column, one of: (attname, adapter) for the package's value; (None, adapter, factory)
    # for a default made per row; (None, value) for `modified` and other fixed defaults.
    plan: list[tuple] = []
    for column in columns:
        adapt = _adapter(column, connection)
        if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            plan.append((None, adapt(now)))
        elif column.attname in records[0]:
            plan.append((column.attname, adapt))
        elif column.has_default() and callable(column.default):
            plan.append((None, adapt, column.default))
        else:
            plan.append((None, adapt(column.get_default())))
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(column.column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def rows(batch: list[dict[str, Any]]) -> list[tuple]:
        return [
            tuple(
                entry[1](values[entry[0]])
                if entry[0] is not None
                else (entry[1](entry[2]()) if len(entry) == 3 else entry[1])
                for entry in plan
            )
            for values in batch
        ]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg's C dumpers send the rows in one stream, where executemany made a
            # round trip of parsing per row (measured: most of the import's time).
            copy_sql = (
                f"COPY {quote(model._meta.db_table)} "
                f"({', '.join(quote(column.column) for column in columns)}) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for start in range(0, len(records), WRITE_BATCH_SIZE):
                    for row in rows(records[start : start + WRITE_BATCH_SIZE]):
                        copy.write_row(row)
            return
        for start in range(0, len(records), WRITE_BATCH_SIZE):
            cursor.executemany(sql, rows(records[start : start + WRITE_BATCH_SIZE]))


def _write(merged: dict[str, dict[uuid.UUID, dict[str, Any]]], report: ImportReport) -> None:
    """Insert new records and update existing ones in batches, parents before children."""
    now = timezone.now()
    for object_type in OBJECT_TYPES:
        records = merged.get(object_type.key)
        if not records:
            continue
        model = object_type.model
        # Into an empty table (a first import) there is nothing to look up.
        is_service = object_type.key == "service"
        known = (
            _existing_values(model, list(records), "last_reviewed_on" if is_service else "pk")
            if model.objects.exists()
            else {}
        )
        existing = set(known)
        if is_service:
            _set_review_dates(records, known, timezone.localdate(now))
        created = [values for record_id, values in records.items() if record_id not in existing]
        if created:
            _insert(model, created, now)
        updated = [
            model(**values, modified=now)
            for record_id, values in records.items()
            if record_id in existing
        ]
        if updated:
            # Every field the standard has, so a field left out of the package is emptied, as
            # update_or_create with the whole record would; `modified` by hand, as bulk_update
            # does not apply auto_now.
            fields = [name for name in next(iter(records.values())) if name != "id"]
            model.objects.bulk_update(updated, [*fields, "modified"], batch_size=WRITE_BATCH_SIZE)
        report.counts[object_type.key] = {"created": len(created), "updated": len(updated)}


def _set_review_dates(
    records: dict[uuid.UUID, dict[str, Any]], known: dict[uuid.UUID, dt.date | None], today: dt.date
) -> None:
    """Each service's `last_reviewed_on`: the later of the date it has in the directory
    (`known`, by id) and the feed's (`assured_date`, else `last_modified`; never after today);
    today when neither gives one, so an import is not at once a pile of stale listings."""
    for record_id, values in records.items():
        fed = values.get("assured_date")
        if fed is None and values.get("last_modified") is not None:
            fed = timezone.localdate(values["last_modified"])
        dates = [date for date in (known.get(record_id), fed and min(fed, today)) if date]
        values["last_reviewed_on"] = max(dates) if dates else today


def import_reader(reader: PackageReader, source: str, actor: User | None = None) -> ImportReport:
    problems = list(reader.problems)
    merged = _check(reader.occurrences, problems)
    if problems:
        raise OrukImportError(problems)
    report = ImportReport(ignored_files=reader.ignored_files)
    with transaction.atomic():
        _write(merged, report)
        audit.record(actor, "directory.import_oruk", None, source=source, counts=report.counts)
    return report


def import_package(source: Path, actor: User | None = None) -> ImportReport:
    """Import a JSON file or a folder of the standard's CSV files. Raises OrukImportError."""
    reader = PackageReader()
    if source.is_dir():
        reader.read_csv_folder(source)
        if not reader.occurrences and not reader.problems:
            reader.problems.append(
                Problem(source.name, None, "holds none of the standard's CSV files")
            )
    elif source.is_file():
        reader.read_json_file(source)
    else:
        reader.problems.append(Problem(str(source), None, "is neither a file nor a folder"))
    return import_reader(reader, source.name, actor)


def import_json_data(data: Any, source: str = "package", actor: User | None = None) -> ImportReport:
    """Import already-parsed JSON (e.g. an API response). Raises OrukImportError."""
    reader = PackageReader()
    reader.read_json(data, source)
    return import_reader(reader, source, actor)
