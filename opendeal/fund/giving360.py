"""The fund's grants as 360Giving data (standard 1.4): a JSON package, a CSV file and an XLSX
workbook in the standard's flattened column titles, all streamed from the database.

Streaming: the grants are read with `.iterator(chunk_size=…)` as plain tuples from one joined
query, and each chunk costs a fixed number of further queries (one for its links to priorities,
and one for directory terms when any of its projects is in the directory), so memory stays flat
however many grants there are. `bench/export_360giving.py` holds the figures.

Identifiers follow the 360Giving rules: each grant's `identifier` is the council's registered
prefix and the grant's public id (`360G-<prefix>-<uuid>`, set when the grant is made); the
council itself is `GB-LAE-<code>` (its Local Authority England code); recipients keep the org id
of their organisation (GB-CHC-…, GB-COH-…, or the council's prefix for unregistered groups).

Publication choices: only grants that were made (every `Grant`) are published; the street
address and postcode of a recipient are published only when it is a registered charity or
company, because an unregistered group's address is often a volunteer's home.
"""

import csv
import datetime
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from opendeal.directory.models import Attribute
from opendeal.fund import neighbourhoods
from opendeal.fund.models import Application, Grant, OrganisationKind, Priority

# The schema version the package declares (the package schema's `version`: major.minor).
SCHEMA_VERSION = "1.4"
CHUNK_SIZE = 2000
# The most shared parts (planned dates, places, programmes) an export keeps at once.
SHARED_MOST = 10_000
LICENSE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# The ONS entity of a GSS code (its first three characters) → the 360Giving geoCodeType code
# (codelists/geoCodeType.csv). Wards, LSOAs and the local authorities a council can be.
GEO_CODE_TYPES = {
    "E05": "WD",
    "W05": "WD",
    "S13": "WD",
    "E01": "LSOA",
    "W01": "LSOA",
    "E06": "UA",
    "E07": "NMD",
    "E08": "MD",
    "E09": "LONB",
    "W06": "UA",
    "S12": "CA",
}
REGISTERED_KINDS = frozenset(
    {
        OrganisationKind.REGISTERED_CHARITY,
        OrganisationKind.COMPANY,
        OrganisationKind.CHARITABLE_COMPANY,
        OrganisationKind.CIO,
    }
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); as in
# the scorecard's downloads, such text gets a leading apostrophe in the CSV and XLSX.
FORMULA_STARTS = frozenset("=+-@\t\r")
# The fields whose text people type (the rest are identifiers, codes, dates and numbers).
TYPED_FIELDS = frozenset(
    {
        "title",
        "description",
        "name",
        "streetAddress",
        "addressLocality",
        "postalCode",
        "url",
        "charityNumber",
        "companyNumber",
    }
)


def council_org_id() -> str:
    """The council's own 360Giving org id: GB-LAE-<Local Authority England code>."""
    return f"GB-LAE-{settings.OPENDEAL_COUNCIL['lae_code']}"


def geo_code_type(code: str) -> str | None:
    return GEO_CODE_TYPES.get(code[:3])


def json_number(amount: Decimal) -> int | float:
    """A money amount as a JSON number, which is what the schema asks for.

    Exact: amounts are Decimal(12, 2), below 2**53 pence, and a float prints as the shortest
    text that reads back as itself, so 1234.56 prints as "1234.56" (tested for the extremes).
    Whole pounds print without a fraction."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def duration_in_months(start: datetime.date, end: datetime.date) -> int | float:
    """Months from the first day to the last day inclusive: 1 April to 31 March is 12; part
    months count by their days (to one decimal place)."""
    after_end = end + datetime.timedelta(days=1)
    months = (after_end.year - start.year) * 12 + after_end.month - start.month
    if after_end.day < start.day:
        months -= 1
    anchor = _add_months(start, months)
    remaining_days = (after_end - anchor).days
    if remaining_days == 0:
        return max(months, 0)
    return round(max(months, 0) + remaining_days / 30.4375, 1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    first_of_next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (first_of_next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


# --- Reading the grants ------------------------------------------------------------------------

# One tuple per grant from one joined query; `_grant_object` unpacks them in this order.
GRANT_VALUES = (
    "pk",
    "public_id",
    "identifier",
    "amount_awarded",
    "awarded_on",
    "planned_start",
    "planned_end",
    "application_id",
    "application__project_title",
    "application__summary",
    "application__amount_requested",
    "application__ward_code",
    "application__lsoa21_code",
    "application__organisation__org_id",
    "application__organisation__name",
    "application__organisation__kind",
    "application__organisation__charity_number",
    "application__organisation__company_number",
    "application__organisation__address_line_1",
    "application__organisation__address_line_2",
    "application__organisation__town",
    "application__organisation__postcode",
    "application__organisation__website",
    "application__round__slug",
    "application__round__title",
    "application__round__fund__slug",
    "application__round__fund__name",
    "application__round__fund__programme_code",
    "directory_service_id",
)


def published_grants() -> QuerySet[Grant]:
    """The grants 360Giving data is made of, in the order they were made."""
    return Grant.objects.order_by("pk")


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class PriorityClassifications:
    """Each priority as classifications (itself, and the Deal theme it serves), and its place
    in its round's order. Priorities are few (a handful per round): read once per export."""

    by_id: dict[int, tuple[dict[str, str], ...]]
    rank: dict[int, int]

    @classmethod
    def load(cls) -> "PriorityClassifications":
        prefix = settings.OPENDEAL_360G_PREFIX
        rows = Priority.objects.order_by("round_id", "position", "title", "pk").values_list(
            "pk", "public_id", "title", "deal_theme__slug", "deal_theme__title"
        )
        by_id, rank = {}, {}
        for pk, public_id, title, theme_slug, theme_title in rows:
            own = {"vocabulary": f"{prefix}-priority", "code": str(public_id), "title": title}
            theme = {"vocabulary": f"{prefix}-deal-theme", "code": theme_slug, "title": theme_title}
            by_id[pk] = (own, theme) if theme_slug else (own,)
            rank[pk] = len(rank)
        return cls(by_id, rank)

    def for_grants(self, grant_pks: Sequence[int]) -> dict[int, list[dict[str, str]]]:
        """The classifications of each application whose grant is among `grant_pks`, in one
        query: links to priorities of the grants in the range of those pks (a range, not a
        list of thousands of ids, which the database answers from the grant's primary key)."""
        links = (
            Application.priorities.through.objects.filter(
                application__grant__pk__range=(min(grant_pks), max(grant_pks))
            )
            .order_by()
            .values_list("application_id", "priority_id")
        )
        priorities: dict[int, list[int]] = defaultdict(list)
        for application_id, priority_id in links:
            priorities[application_id].append(priority_id)
        found = {}
        for application_id, priority_ids in priorities.items():
            items: list[dict[str, str]] = []
            for priority_id in sorted(priority_ids, key=self.rank.__getitem__):
                items.extend(item for item in self.by_id[priority_id] if item not in items)
            found[application_id] = items
        return found


def directory_terms(service_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, str]]]:
    """The directory taxonomy terms of each of these services (the funded projects published
    to the directory), as classifications in the term's own taxonomy."""
    attributes = (
        Attribute.objects.filter(link_type="service", link_id__in=service_ids)
        .exclude(taxonomy_term=None)
        .order_by("link_id", "taxonomy_term__name", "taxonomy_term_id")
        .values_list(
            "link_id",
            "taxonomy_term_id",
            "taxonomy_term__taxonomy",
            "taxonomy_term__term",
            "taxonomy_term__name",
        )
    )
    found: dict[uuid.UUID, list[dict[str, str]]] = defaultdict(list)
    for service_id, term_id, taxonomy, code, name in attributes:
        found[service_id].append(
            {
                "vocabulary": taxonomy or "directory-taxonomy",
                "code": code or str(term_id),
                "title": name,
            }
        )
    return found


def most_classifications(grants: QuerySet[Grant]) -> int:
    """At least as many classifications as any one grant has (its priorities, their themes and
    its directory terms): how many sets of columns the CSV needs."""
    terms = (
        Attribute.objects.filter(link_type="service", link_id=OuterRef("directory_service_id"))
        .exclude(taxonomy_term=None)
        .order_by()
        .values("link_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    most = (
        grants.annotate(
            priority_count=Count("application__priorities", distinct=True),
            theme_count=Count("application__priorities__deal_theme", distinct=True),
            term_count=Coalesce(Subquery(terms), 0),
        )
        .order_by()
        .aggregate(most=Max("priority_count") + Max("theme_count") + Max("term_count"))["most"]
    )
    return most or 0


# eq=False: compared and hashed by identity, so it can be part of a `shared` key.
@dataclass(frozen=True, eq=False)
class ExportContext:
    """What every grant in one export shares: worked out once, not per grant."""

    funders: list[dict[str, str]]
    local_authority: dict[str, str]
    grant_url_template: str  # the public grant page's address with "{}" for its public id
    data_source: str
    ward_names: dict[str, str]
    lsoa_names: dict[str, str]
    # Parts many grants share, made once each (bounded: cleared when it grows past SHARED_MOST).
    _shared: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def shared(self, make, *arguments):
        key = (make, *arguments)
        try:
            return self._shared[key]
        except KeyError:
            if len(self._shared) >= SHARED_MOST:
                self._shared.clear()
            made = self._shared[key] = make(*arguments)
            return made

    @classmethod
    def current(cls) -> "ExportContext":
        council = settings.OPENDEAL_COUNCIL
        base_url = settings.OPENDEAL_BASE_URL.rstrip("/")
        placeholder = "00000000-0000-0000-0000-000000000000"
        grant_url = base_url + reverse("fund:awarded-grant", args=[placeholder])
        local_authority = {
            "name": council["place"],
            "countryCode": "GB",
            "geoCode": council["gss_code"],
        }
        if code_type := geo_code_type(council["gss_code"]):
            local_authority["geoCodeType"] = code_type
        return cls(
            funders=[{"id": council_org_id(), "name": council["name"]}],
            local_authority=local_authority,
            grant_url_template=grant_url.replace(placeholder, "{}"),
            data_source=base_url + reverse("fund:download-360giving", args=["json"]),
            ward_names={code: ward.name for code, ward in neighbourhoods.wards().items()},
            lsoa_names=neighbourhoods.lsoa_names(),
        )


def grant_objects(
    grants: QuerySet[Grant] | None = None,
    *,
    context: ExportContext | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Each grant as a 360Giving grant object, streamed: the priorities are read once, then
    each chunk of grants comes from the one open cursor and costs one more query (which
    priorities its applications serve).

    Parts that many grants share (the funder, a programme, planned dates, places) are the same
    objects in each: read them, never change them."""
    grants = published_grants() if grants is None else grants
    context = context or ExportContext.current()
    priorities = PriorityClassifications.load()
    rows = grants.values_list(*GRANT_VALUES).iterator(chunk_size=chunk_size)
    for chunk in _chunks(rows, chunk_size):
        classifications = priorities.for_grants([row[0] for row in chunk])
        # Funded projects published to the directory also carry its taxonomy terms: one more
        # query, only for a chunk that has any.
        if service_ids := [row[-1] for row in chunk if row[-1] is not None]:
            terms = directory_terms(service_ids)
            for row in chunk:
                if row[-1] in terms:
                    classifications[row[7]] = [*classifications.get(row[7], ()), *terms[row[-1]]]
        for row in chunk:
            yield _grant_object(row, classifications.get(row[7]), context)


def _grant_object(
    row: tuple, classifications: list[dict[str, str]] | None, context: ExportContext
) -> dict[str, Any]:
    (
        _pk,
        public_id,
        identifier,
        amount_awarded,
        awarded_on,
        planned_start,
        planned_end,
        _application_id,
        title,
        summary,
        amount_requested,
        ward_code,
        lsoa_code,
        org_id,
        org_name,
        org_kind,
        charity_number,
        company_number,
        address_line_1,
        address_line_2,
        town,
        postcode,
        website,
        round_slug,
        round_title,
        fund_slug,
        fund_name,
        programme_code,
        _directory_service_id,
    ) = row
    recipient: dict[str, Any] = {"id": org_id, "name": org_name}
    if charity_number:
        recipient["charityNumber"] = charity_number
    if company_number:
        recipient["companyNumber"] = company_number
    if org_kind in REGISTERED_KINDS:
        street = ", ".join(line for line in (address_line_1, address_line_2) if line)
        if street:
            recipient["streetAddress"] = street
        if town:
            recipient["addressLocality"] = town
        if postcode:
            recipient["postalCode"] = postcode
    if website:
        recipient["url"] = website
    grant: dict[str, Any] = {
        "id": identifier,
        "title": title or f"Grant to {org_name}",
        "description": summary or title or f"Grant to {org_name}",
        "currency": "GBP",
        "amountAwarded": json_number(amount_awarded),
        "awardDate": awarded_on.isoformat(),
        "plannedDates": context.shared(_planned_dates, planned_start, planned_end),
        "recipientOrganization": [recipient],
        "fundingOrganization": context.funders,
        "grantProgramme": context.shared(
            _programme, programme_code, fund_slug, round_slug, fund_name, round_title
        ),
        "fromOpenCall": "Yes",
        "beneficiaryLocation": context.shared(_locations, ward_code, lsoa_code, context),
        "url": context.grant_url_template.format(public_id),
        "dataSource": context.data_source,
    }
    if amount_requested is not None:
        grant["amountAppliedFor"] = json_number(amount_requested)
    if classifications:
        grant["classifications"] = classifications
    return grant


def _planned_dates(start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    return [
        {
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "duration": duration_in_months(start, end),
        }
    ]


def _programme(
    programme_code: str, fund_slug: str, round_slug: str, fund_name: str, round_title: str
) -> list[dict[str, str]]:
    """The grant programme: the fund, and the round within it."""
    return [
        {
            "code": f"{programme_code or fund_slug}/{round_slug}",
            "title": f"{fund_name}: {round_title}",
        }
    ]


def _locations(ward_code: str, lsoa_code: str, context: "ExportContext") -> list[dict[str, Any]]:
    """Where the project's beneficiaries are: its ward, its LSOA and the council's area."""
    locations = []
    for code, names in ((ward_code, context.ward_names), (lsoa_code, context.lsoa_names)):
        if not code:
            continue
        location: dict[str, Any] = {"countryCode": "GB", "geoCode": code}
        if name := names.get(code):
            location["name"] = name
        if code_type := geo_code_type(code):
            location["geoCodeType"] = code_type
        locations.append(location)
    locations.append(context.local_authority)
    return locations


# --- JSON package ------------------------------------------------------------------------------


def package_metadata(*, issued: datetime.datetime | None = None) -> dict[str, Any]:
    """The package's own fields (all but `grants`), as the package schema names them."""
    issued = timezone.localtime(issued or timezone.now())
    council = settings.OPENDEAL_COUNCIL
    base_url = settings.OPENDEAL_BASE_URL.rstrip("/")
    return {
        "version": SCHEMA_VERSION,
        "title": f"{council['name']}: grants from the community investment fund",
        "description": (
            f"Every grant {council['name']} has made through its community investment fund, "
            "from open rounds, in the 360Giving Data Standard."
        ),
        "identifier": f"{settings.OPENDEAL_360G_PREFIX}-{issued:%Y-%m-%d}",
        "issued": issued.date().isoformat(),
        "modified": issued.isoformat(timespec="seconds"),
        "publisher": {"identifier": council_org_id(), "name": council["name"], "website": base_url},
        "accessURL": base_url + reverse("fund:awarded-grants"),
        "downloadURL": base_url + reverse("fund:download-360giving", args=["json"]),
        "license": LICENSE_URL,
    }


# One encoder for every grant (json.dumps with options would make one per call).
_GRANT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_package(grants: Iterable[dict[str, Any]], metadata: dict[str, Any]) -> Iterator[str]:
    """The JSON package as pieces of text: the metadata, then `"grants": [` and one grant per
    line. Nothing but the current grant is held in memory."""
    head = json.dumps(metadata, ensure_ascii=False, indent=2)
    yield head[:-2] + ',\n  "grants": [\n'
    separator = ""
    for grant in grants:
        yield separator + _GRANT_ENCODER.encode(grant)
        separator = ",\n"
    yield "\n  ]\n}\n"


# --- Flattened: CSV and XLSX -------------------------------------------------------------------

# One column per (key, index, field): `index` None is a top-level value; otherwise the field of
# that item of the array. Arrays that only ever hold one item use the standard's rolled-up titles
# (e.g. "Recipient Org:Identifier"); arrays that can hold several are numbered
# ("Beneficiary Location:0:Geographic Code"), as the standard's flattening does.
ColumnPath = tuple[str, int | None, str | None]

_SINGLE_ITEM = {
    "plannedDates": ("startDate", "endDate", "duration"),
    "recipientOrganization": (
        "id",
        "name",
        "charityNumber",
        "companyNumber",
        "streetAddress",
        "addressLocality",
        "postalCode",
        "url",
    ),
    "fundingOrganization": ("id", "name"),
    "grantProgramme": ("code", "title"),
}
LOCATION_FIELDS = ("name", "countryCode", "geoCode", "geoCodeType")
CLASSIFICATION_FIELDS = ("vocabulary", "code", "title")
# Ward, LSOA and the local authority.
MOST_LOCATIONS = 3


def column_paths(classification_sets: int) -> list[ColumnPath]:
    """Every column of the flattened file, in order, for grants with at most
    `classification_sets` classifications each."""
    paths: list[ColumnPath] = [
        (key, None, None)
        for key in ("id", "title", "description", "currency", "amountAppliedFor", "amountAwarded")
    ]
    paths.append(("awardDate", None, None))
    paths += [("plannedDates", 0, field) for field in _SINGLE_ITEM["plannedDates"]]
    paths += [
        ("recipientOrganization", 0, field) for field in _SINGLE_ITEM["recipientOrganization"]
    ]
    paths += [("fundingOrganization", 0, field) for field in _SINGLE_ITEM["fundingOrganization"]]
    paths += [("grantProgramme", 0, field) for field in _SINGLE_ITEM["grantProgramme"]]
    paths.append(("fromOpenCall", None, None))
    paths += [
        ("beneficiaryLocation", index, field)
        for index in range(MOST_LOCATIONS)
        for field in LOCATION_FIELDS
    ]
    paths += [
        ("classifications", index, field)
        for index in range(classification_sets)
        for field in CLASSIFICATION_FIELDS
    ]
    paths += [("url", None, None), ("dataSource", None, None)]
    return paths


# The standard's titles (the `title` of each property in 360-giving-schema.json); the tests
# check every one against the schema.
TOP_TITLES = {
    "id": "Identifier",
    "title": "Title",
    "description": "Description",
    "currency": "Currency",
    "amountAppliedFor": "Amount Applied For",
    "amountAwarded": "Amount Awarded",
    "awardDate": "Award Date",
    "plannedDates": "Planned Dates",
    "recipientOrganization": "Recipient Org",
    "fundingOrganization": "Funding Org",
    "grantProgramme": "Grant Programme",
    "fromOpenCall": "From An Open Call?",
    "beneficiaryLocation": "Beneficiary Location",
    "classifications": "Classifications",
    "url": "URL",
    "dataSource": "Data Source",
}
FIELD_TITLES = {
    "plannedDates": {
        "startDate": "Start Date",
        "endDate": "End Date",
        "duration": "Duration (months)",
    },
    "recipientOrganization": {
        "id": "Identifier",
        "name": "Name",
        "charityNumber": "Charity Number",
        "companyNumber": "Company Number",
        "streetAddress": "Street Address",
        "addressLocality": "City",
        "postalCode": "Postal Code",
        "url": "Web Address",
    },
    "fundingOrganization": {"id": "Identifier", "name": "Name"},
    "grantProgramme": {"code": "Code", "title": "Title"},
    "beneficiaryLocation": {
        "name": "Name",
        "countryCode": "Country Code",
        "geoCode": "Geographic Code",
        "geoCodeType": "Geographic Code Type",
    },
    "classifications": {"vocabulary": "Vocabulary", "code": "Code", "title": "Title"},
}


def column_title(path: ColumnPath) -> str:
    key, index, field = path
    if index is None:
        return TOP_TITLES[key]
    if key in _SINGLE_ITEM:
        return f"{TOP_TITLES[key]}:{FIELD_TITLES[key][field]}"
    return f"{TOP_TITLES[key]}:{index}:{FIELD_TITLES[key][field]}"


def _column_groups(paths: Sequence[ColumnPath]) -> list[tuple[str, int | None, tuple]]:
    """The columns as runs of (key, index, fields): one lookup per item, not per column."""
    groups: list[tuple[str, int | None, list]] = []
    for key, index, name in paths:
        if index is not None and groups and groups[-1][:2] == (key, index):
            groups[-1][2].append(name)
        else:
            groups.append((key, index, [name] if index is not None else []))
    return [(key, index, tuple(fields)) for key, index, fields in groups]


def flatten(grant: dict[str, Any], paths: Sequence[ColumnPath]) -> list[Any]:
    """One grant as one row of values in the columns' order; None where it has no value."""
    return _flatten(grant, _column_groups(paths))


def _flatten(grant: dict[str, Any], groups: Sequence[tuple[str, int | None, tuple]]) -> list[Any]:
    row: list[Any] = []
    append, extend = row.append, row.extend
    for key, index, fields in groups:
        value = grant.get(key)
        if index is None:
            append(value)
        elif value is not None and index < len(value):
            extend(map(value[index].get, fields))
        else:
            extend([None] * len(fields))
    return row


@dataclass
class FlatExport:
    """The column titles and the rows of one export, streamed."""

    titles: list[str]
    rows: Iterator[list[Any]]


@dataclass(frozen=True)
class FlatColumns:
    """The flattened file's columns for a set of grants, and how to make one grant's row."""

    paths: list[ColumnPath]
    groups: list[tuple[str, int | None, tuple]]
    # The columns of text that people typed (titles, names, addresses), which can start like
    # a formula; identifiers, codes, dates and numbers cannot, and are not looked at.
    typed: list[int]

    @classmethod
    def for_grants(cls, grants: QuerySet[Grant]) -> "FlatColumns":
        paths = column_paths(most_classifications(grants))
        typed = [
            index
            for index, path in enumerate(paths)
            if path[2] in TYPED_FIELDS or (path[1] is None and path[0] in TYPED_FIELDS)
        ]
        return cls(paths, _column_groups(paths), typed)

    @property
    def titles(self) -> list[str]:
        return [column_title(path) for path in self.paths]

    def row(self, grant: dict[str, Any]) -> list[Any]:
        """One grant as one row, text that starts like a formula given its apostrophe."""
        row = _flatten(grant, self.groups)
        for index in self.typed:
            value = row[index]
            if value and value[0] in FORMULA_STARTS:
                row[index] = "'" + value
        return row


def flat_export(
    grants: QuerySet[Grant] | None = None, *, chunk_size: int = CHUNK_SIZE
) -> FlatExport:
    grants = published_grants() if grants is None else grants
    columns = FlatColumns.for_grants(grants)
    groups, typed = columns.groups, columns.typed

    def rows() -> Iterator[list[Any]]:
        # FlatColumns.row, inlined: this loop runs once per grant of a million.
        for grant in grant_objects(grants, chunk_size=chunk_size):
            row = _flatten(grant, groups)
            for index in typed:
                value = row[index]
                if value and value[0] in FORMULA_STARTS:
                    row[index] = "'" + value
            yield row

    return FlatExport(columns.titles, rows())


class _Echo:
    """A file-like object whose write returns what it was given, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(export: FlatExport) -> Iterator[str]:
    """The CSV file as text, a line at a time (UTF-8 without BOM; empty cells for no value)."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(export.titles)
    for row in export.rows:
        yield writer.writerow(row)


def write_xlsx(export: FlatExport, stream: IO[bytes]) -> None:
    """The same rows as an XLSX workbook, written with openpyxl's write-only mode (rows go to a
    temporary file as they come, so memory stays flat). Text stays text: a value that starts
    like a formula was already given its apostrophe."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("grants")
    sheet.append(export.titles)
    for row in export.rows:
        sheet.append([_xlsx_safe(value) for value in row])
    workbook.save(stream)


def xlsx_row(row: list[Any]) -> list[Any]:
    """A flattened row as the workbook can hold it."""
    return [_xlsx_safe(value) for value in row]


def _xlsx_safe(value: Any) -> Any:
    # XML cannot hold most control characters; openpyxl refuses a cell that has one.
    if value.__class__ is str and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def json_lines(
    grants: QuerySet[Grant] | None = None, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[str]:
    return json_package(grant_objects(grants, chunk_size=chunk_size), package_metadata())


__all__ = [
    "CHUNK_SIZE",
    "FlatColumns",
    "council_org_id",
    "csv_lines",
    "flat_export",
    "grant_objects",
    "json_lines",
    "json_package",
    "package_metadata",
    "published_grants",
    "write_xlsx",
]
