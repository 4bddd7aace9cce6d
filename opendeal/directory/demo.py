"""The demo borough's community directory: fictional community organisations (each labelled as
demo data) running 42 services at real Wigan postcodes.

- Places: the postcodes, and their coordinates, are real Wigan postcodes taken from the CQC care
  directory extract in the shared data folder (`care/cqc_…_greater_manchester_care_homes.csv`,
  coordinates per postcode); street names come from the same rows, house names and numbers
  left out. Each postcode's 2021 LSOA and 2025 ward are the boundaries (shared
  `geography/wigan_*_boundaries.geojson`) its point falls in. The postcodes are loaded into
  `geography.Postcode`, so searching near them works offline.
- Categories: the top level of the Open Eligibility human services taxonomy (Open Referral's
  own taxonomy project, CC BY-SA 3.0): Emergency, Food, Housing, Goods, Transit, Health, Money,
  Care, Education, Work and Legal.
- Opening hours as weekly RRULE schedules, costs (many free), age ranges; a handful of
  listings last reviewed over a year ago, so they show as stale; and pending changes from the
  demo community organisation member, so the moderation queue has work in it.

Ids are derived from names (uuid5), so running it again changes nothing.
"""

import csv
import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opendeal.core.data_sources import DataUnavailable
from opendeal.core.demo import demo_email
from opendeal.core.models import User
from opendeal.core.roles import Role
from opendeal.geography.models import Postcode

from . import moderation, schedules
from .models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    ListingChange,
    Location,
    Organization,
    OrganizationMember,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

NAMESPACE = uuid.UUID("0b7c8f63-5e0e-4a51-9d0c-5d8f2f4c6a10")
PLACES_FILE = "care/cqc_care_directory_2019-07-17_greater_manchester_care_homes.csv"
LSOA_FILE = "geography/wigan_lsoa21_boundaries.geojson"
WARD_FILE = "geography/wigan_wards_2025_boundaries.geojson"
WIGAN = "E08000010"
DEMO_LABEL = "Fictional organisation: demo data for OpenDeal."


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


TAXONOMY_NAME = "Open Eligibility"
TAXONOMY_TERMS = {
    "emergency": ("Emergency", "Help in a crisis: emergency food, shelter and safety."),
    "food": ("Food", "Food banks, pantries, community meals and help to eat well."),
    "housing": ("Housing", "Help to find, keep and pay for a home, and warm spaces."),
    "goods": ("Goods", "Clothes, furniture, baby items and other things people need."),
    "transit": ("Transit", "Getting around: bikes, community transport, travel training."),
    "health": ("Health", "Physical and mental health, wellbeing and healthy living."),
    "money": ("Money", "Benefits, budgeting, debt advice and help with bills."),
    "care": ("Care", "Support for carers, families, children and older people."),
    "education": ("Education", "Learning for adults and children, digital skills."),
    "work": ("Work", "Help finding work, volunteering and skills for work."),
    "legal": ("Legal", "Advice about rights, tenancies, immigration and the law."),
}

ORGANISATIONS = {
    "pantry": ("Pemberton Community Pantry", "A members' pantry and community café."),
    "shed": ("Leigh Men's Shed Collective", "Workshops where men meet, make and mend."),
    "kitchen": ("Ince Community Kitchen", "Cooking and eating together, and cooking on a budget."),
    "walkers": ("Standish Walking for Health", "Volunteer-led walks of every length."),
    "carers": ("Hindley Carers' Circle", "Support and breaks for unpaid carers."),
    "youth": ("Atherton Youth Project", "Youth clubs, mentoring and holiday activities."),
    "money": ("Ashton Money Matters", "Free, confidential money and benefits advice."),
    "warm": ("Golborne and Lowton Warm Spaces", "Warm, welcoming places in the winter."),
    "wellbeing": ("Tyldesley Wellbeing Hub", "Peer support for mental health and wellbeing."),
    "bikes": ("Wigan Bike Recycling Co-op", "Refurbished bikes, repairs and cycle training."),
    "learning": ("Orrell Adult Learning Circle", "Informal learning for adults of any age."),
    "family": (
        "Platt Bridge Family Friends",
        "Volunteers supporting families with young children.",
    ),
    "tenancy": ("Leigh Tenancy Support Project", "Help to keep a home and sort out problems."),
    "advice": ("Wigan Borough Advice Collective", "Volunteer solicitors' free advice clinics."),
}

# Postcode → (street, town), from the CQC extract's addresses.
PLACES = {
    "WN5 9RN": ("Sherwood Crescent", "Pemberton, Wigan"),
    "WN5 9LP": ("Norley Hall Avenue", "Pemberton, Wigan"),
    "WN5 0TS": ("Marsden Street", "Newtown, Wigan"),
    "WN7 2AE": ("Widdows Street", "Leigh"),
    "WN7 2AA": ("Bedford Square", "Leigh"),
    "WN7 4UH": ("Mitchell Street", "Leigh"),
    "WN7 2RF": ("College Street", "Leigh"),
    "WN7 5ET": ("Ena Crescent", "Leigh"),
    "WN3 4QP": ("Ince Green Lane", "Ince, Wigan"),
    "WN2 2LX": ("Grizedale Drive", "Ince, Wigan"),
    "WN6 0NY": ("Preston Road", "Standish, Wigan"),
    "WN6 0TS": ("Green Lane", "Standish, Wigan"),
    "WN6 0AE": ("Wigan Road", "Standish, Wigan"),
    "WN2 3DU": ("Darby Lane", "Hindley, Wigan"),
    "WN2 4DT": ("Warwick Drive", "Hindley, Wigan"),
    "WN2 4LZ": ("Oak Avenue", "Hindley Green, Wigan"),
    "M46 0EW": ("Mealhouse Lane", "Atherton"),
    "M46 0BE": ("Hamilton Street", "Atherton"),
    "M46 9AF": ("Tyldesley Old Road", "Atherton"),
    "WN4 8TU": ("Bolton Road", "Ashton-in-Makerfield"),
    "WN4 9LH": ("Liverpool Road", "Ashton-in-Makerfield"),
    "WA3 3JL": ("Derby Road", "Golborne"),
    "WA3 1HF": ("Newton Road", "Lowton"),
    "WA3 2RB": ("Woodford Avenue", "Lowton"),
    "M29 8JE": ("Elliott Street", "Tyldesley"),
    "WN1 3TG": ("Windsor Street", "Wigan"),
    "WN1 2RG": ("Elmfield Road", "Wigan"),
    "WN5 0JH": ("Spring Road", "Orrell, Wigan"),
    "WN2 5DD": ("Millers Lane", "Platt Bridge, Wigan"),
    "WN2 5TE": ("Bickershaw Lane", "Bickershaw, Wigan"),
    "WN3 6QA": ("Warrington Road", "Goose Green, Wigan"),
    "WN5 8BH": ("Howard Street", "Wigan"),
}


@dataclass(frozen=True)
class DemoService:
    organisation: str
    name: str
    description: str
    terms: tuple[str, ...]
    postcode: str
    venue: str
    hours: str  # "MO-FR 09:00-17:00; SA 10:00-12:00"
    cost: str = ""  # "" for free; otherwise "3.50 per session"
    ages: tuple[int | None, int | None] = (None, None)
    reviewed_days_ago: int = 60


S = DemoService
SERVICES = [
    S(
        "pantry",
        "Community pantry",
        "Members pay a small weekly amount and choose groceries worth much more.",
        ("food",),
        "WN5 9RN",
        "Sherwood Crescent community room",
        "TU,TH 10:00-14:00; SA 10:00-12:00",
        "3.50 per weekly shop",
        (18, None),
    ),
    S(
        "pantry",
        "Pay-as-you-feel café",
        "Hot lunches; pay what you can, or volunteer an hour instead.",
        ("food",),
        "WN5 9LP",
        "Norley Hall community centre",
        "MO-FR 11:30-14:00",
    ),
    S(
        "pantry",
        "Emergency food parcels",
        "Three days of food for anyone in crisis, no referral needed.",
        ("emergency", "food"),
        "WN5 9RN",
        "Sherwood Crescent community room",
        "MO-FR 09:00-16:00",
        reviewed_days_ago=400,
    ),
    S(
        "shed",
        "Leigh men's shed",
        "Woodwork, repairs and a brew. Come along, no experience needed.",
        ("health", "work"),
        "WN7 2AE",
        "Widdows Street workshop",
        "MO,WE,FR 10:00-15:00",
        "2.00 per visit",
        (18, None),
    ),
    S(
        "shed",
        "Repair café",
        "Bring broken things; volunteers help you mend them.",
        ("goods",),
        "WN7 2AA",
        "Bedford Square hall",
        "SA 10:00-13:00",
    ),
    S(
        "shed",
        "Tools library",
        "Borrow tools for a week instead of buying them.",
        ("goods",),
        "WN7 2AE",
        "Widdows Street workshop",
        "SA 10:00-12:00",
        "10.00 per year",
        (18, None),
        420,
    ),
    S(
        "kitchen",
        "Cook and eat together",
        "Cook a healthy meal as a group, then sit down and share it.",
        ("food", "health"),
        "WN3 4QP",
        "Ince Green Lane kitchen",
        "TU 17:30-19:30",
        "1.50 per session",
    ),
    S(
        "kitchen",
        "Cooking on a budget course",
        "Six weekly sessions: meals for a family for under £5.",
        ("food", "education"),
        "WN2 2LX",
        "Grizedale Drive community flat",
        "TH 10:00-12:00",
        "",
        (16, None),
    ),
    S(
        "kitchen",
        "Holiday lunch club",
        "Free lunch and activities for children in the school holidays.",
        ("food", "care"),
        "WN3 4QP",
        "Ince Green Lane kitchen",
        "MO-TH 11:00-14:00",
        "",
        (5, 16),
    ),
    S(
        "walkers",
        "Health walks",
        "Gentle one-hour walks led by trained volunteers, every pace welcome.",
        ("health",),
        "WN6 0NY",
        "Preston Road car park",
        "TU,TH 10:00-11:00",
    ),
    S(
        "walkers",
        "Nordic walking group",
        "Walking with poles: poles lent for your first four sessions.",
        ("health",),
        "WN6 0TS",
        "Green Lane recreation ground",
        "SA 09:30-11:00",
        "2.00 per walk",
        (16, None),
    ),
    S(
        "walkers",
        "Buggy walks",
        "Walks with prams and pushchairs, ending with a drink together.",
        ("health", "care"),
        "WN6 0AE",
        "Wigan Road park gates",
        "WE 10:00-11:00",
        reviewed_days_ago=500,
    ),
    S(
        "carers",
        "Carers' drop-in",
        "A cuppa, a chat and advice for anyone looking after someone.",
        ("care",),
        "WN2 3DU",
        "Darby Lane community rooms",
        "WE 13:00-15:00",
        "",
        (16, None),
    ),
    S(
        "carers",
        "Sitting service",
        "A trained volunteer sits with the person you care for while you take a break.",
        ("care",),
        "WN2 4DT",
        "Warwick Drive office",
        "MO-FR 09:00-17:00",
        "5.00 per hour",
    ),
    S(
        "carers",
        "Young carers' club",
        "Fun and time out for young people who look after someone at home.",
        ("care",),
        "WN2 4LZ",
        "Oak Avenue youth room",
        "TH 16:00-18:00",
        "",
        (8, 17),
        390,
    ),
    S(
        "youth",
        "Youth club",
        "Games, music, sport and someone to talk to.",
        ("care", "education"),
        "M46 0EW",
        "Mealhouse Lane youth centre",
        "MO,WE,FR 18:00-21:00",
        "0.50 per night",
        (11, 18),
    ),
    S(
        "youth",
        "Mentoring",
        "One-to-one mentoring with a trained volunteer for a year.",
        ("education", "care"),
        "M46 0BE",
        "Hamilton Street office",
        "MO-FR 15:00-19:00",
        "",
        (11, 25),
    ),
    S(
        "youth",
        "Holiday activities",
        "Sport, crafts and trips in the school holidays, with lunch.",
        ("care", "food"),
        "M46 9AF",
        "Tyldesley Old Road playing fields",
        "MO-FR 10:00-15:00",
        "",
        (5, 16),
    ),
    S(
        "money",
        "Benefits check",
        "Find out which benefits you could get and help to claim them.",
        ("money",),
        "WN4 8TU",
        "Bolton Road advice centre",
        "MO,WE 09:30-16:00",
    ),
    S(
        "money",
        "Debt advice",
        "Free, confidential advice and help talking to the people you owe.",
        ("money", "legal"),
        "WN4 9LH",
        "Liverpool Road library room",
        "TU,TH 09:30-16:00",
        "",
        (18, None),
    ),
    S(
        "money",
        "Energy bill help",
        "Help with energy debts, switching and grants for warmer homes.",
        ("money", "housing"),
        "WN4 8TU",
        "Bolton Road advice centre",
        "FR 10:00-13:00",
        reviewed_days_ago=450,
    ),
    S(
        "warm",
        "Golborne warm space",
        "A warm room with hot drinks, newspapers and company.",
        ("housing", "health"),
        "WA3 3JL",
        "Derby Road church hall",
        "MO-FR 10:00-16:00",
    ),
    S(
        "warm",
        "Lowton warm space",
        "Warm, free and friendly, with soup at lunchtime on Fridays.",
        ("housing", "food"),
        "WA3 1HF",
        "Newton Road community centre",
        "TU,TH,FR 11:00-15:00",
    ),
    S(
        "warm",
        "Lowton knit and natter",
        "Bring your knitting or learn, and meet your neighbours.",
        ("health",),
        "WA3 2RB",
        "Woodford Avenue social club",
        "WE 13:30-15:30",
        "1.00 per session",
    ),
    S(
        "wellbeing",
        "Peer support group",
        "Meet people who understand, led by people with lived experience.",
        ("health",),
        "M29 8JE",
        "Elliott Street hub",
        "MO 18:00-20:00; TH 13:00-15:00",
        "",
        (18, None),
    ),
    S(
        "wellbeing",
        "Wellbeing walk and talk",
        "A short walk and a talk, for anyone feeling low or lonely.",
        ("health",),
        "M29 8JE",
        "Elliott Street hub",
        "WE 10:30-12:00",
    ),
    S(
        "wellbeing",
        "Mindfulness course",
        "Eight weeks of mindfulness for stress and low mood.",
        ("health", "education"),
        "M29 8JE",
        "Elliott Street hub",
        "TU 19:00-20:30",
        "20.00 per course",
        (18, None),
        370,
    ),
    S(
        "bikes",
        "Refurbished bikes",
        "Donated bikes, fixed up and sold at low prices.",
        ("transit", "goods"),
        "WN1 3TG",
        "Windsor Street workshop",
        "TH-SA 10:00-16:00",
        "40.00 for an adult bike",
    ),
    S(
        "bikes",
        "Learn to fix your bike",
        "Bring your bike and learn to keep it on the road.",
        ("transit", "education"),
        "WN1 3TG",
        "Windsor Street workshop",
        "WE 18:00-20:00",
        "3.00 per session",
        (12, None),
    ),
    S(
        "bikes",
        "Free bikes for job seekers",
        "A free bike, lock and lights if getting to work is the problem.",
        ("transit", "work"),
        "WN1 2RG",
        "Elmfield Road jobs club",
        "MO 10:00-12:00",
        "",
        (16, None),
    ),
    S(
        "learning",
        "Digital skills drop-in",
        "Help with phones, tablets, email and online forms.",
        ("education",),
        "WN5 0JH",
        "Spring Road library room",
        "TU,FR 10:00-12:00",
    ),
    S(
        "learning",
        "English conversation club",
        "Practise speaking English in a friendly group.",
        ("education",),
        "WN5 0TS",
        "Marsden Street centre",
        "WE 10:00-12:00; SA 10:00-12:00",
        "",
        (16, None),
    ),
    S(
        "learning",
        "Family history group",
        "Research your family tree with help from volunteers.",
        ("education",),
        "WN5 0JH",
        "Spring Road library room",
        "TH 14:00-16:00",
        "1.50 per session",
        (None, None),
        600,
    ),
    S(
        "family",
        "Stay and play",
        "Play sessions for babies and toddlers with their grown-ups.",
        ("care", "education"),
        "WN2 5DD",
        "Millers Lane community hall",
        "MO,WE 09:30-11:30",
        "1.00 per family",
        (0, 4),
    ),
    S(
        "family",
        "Baby bank",
        "Clothes, cots, prams and equipment for families who need them.",
        ("goods", "care"),
        "WN2 5TE",
        "Bickershaw Lane church",
        "TH 10:00-13:00",
    ),
    S(
        "family",
        "Family visiting",
        "A volunteer visits families with young children each week.",
        ("care",),
        "WN2 5DD",
        "Millers Lane community hall",
        "MO-FR 09:00-17:00",
    ),
    S(
        "tenancy",
        "Tenancy support",
        "Help with rent arrears, repairs and landlord problems.",
        ("housing", "legal"),
        "WN7 4UH",
        "Mitchell Street office",
        "MO-TH 09:00-17:00; FR 09:00-16:30",
        "",
        (16, None),
    ),
    S(
        "tenancy",
        "Furniture scheme",
        "Free furniture and white goods for people setting up home.",
        ("goods", "housing"),
        "WN7 2RF",
        "College Street warehouse",
        "TU,TH 09:00-15:00",
    ),
    S(
        "tenancy",
        "Homeless drop-in",
        "Breakfast, showers, and help to find somewhere to stay.",
        ("emergency", "housing"),
        "WN7 5ET",
        "Ena Crescent centre",
        "MO-FR 08:00-11:00",
        "",
        (18, None),
    ),
    S(
        "advice",
        "Free legal advice clinic",
        "Twenty minutes with a volunteer solicitor, by appointment.",
        ("legal",),
        "WN3 6QA",
        "Warrington Road community centre",
        "TU 18:00-20:00",
        "",
        (18, None),
    ),
    S(
        "advice",
        "Immigration advice",
        "Free advice from an accredited adviser, by appointment.",
        ("legal",),
        "WN5 8BH",
        "Howard Street centre",
        "TH 10:00-13:00",
    ),
    S(
        "advice",
        "Employment rights advice",
        "Advice on pay, contracts, dismissal and discrimination at work.",
        ("legal", "work"),
        "WN3 6QA",
        "Warrington Road community centre",
        "WE 18:00-20:00",
        "",
        (16, None),
        380,
    ),
]

# The demo community organisation member (Role.COMMUNITY_MEMBER) belongs to this organisation.
MEMBER_ORGANISATION = "pantry"


# Places ----------------------------------------------------------------------------------------


def _data_path(relative: str) -> Path:
    path = Path(settings.OPENDEAL_DATA_DIR) / relative
    if not path.is_file():
        raise DataUnavailable(f"{relative} is not in {settings.OPENDEAL_DATA_DIR}")
    return path


def _point_in_ring(longitude: float, latitude: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > latitude) != (y2 > latitude):
            crossing = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if longitude < crossing:
                inside = not inside
    return inside


def _area_containing(longitude: float, latitude: float, features: list[dict], code: str) -> str:
    """The code of the boundary the point lies in (holes respected), or "" if none."""
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for outer, *holes in polygons:
            if _point_in_ring(longitude, latitude, outer) and not any(
                _point_in_ring(longitude, latitude, hole) for hole in holes
            ):
                return feature["properties"][code]
    return ""


def load_demo_postcodes() -> int:
    """Load the demo's postcodes into `geography.Postcode`; how many were new."""
    coordinates = {}
    with _data_path(PLACES_FILE).open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["area_code"] == WIGAN and row["postcode"] in PLACES:
                coordinates[row["postcode"]] = (Decimal(row["lat"]), Decimal(row["lon"]))
    missing = sorted(set(PLACES) - set(coordinates))
    if missing:
        raise DataUnavailable(f"{PLACES_FILE} has no Wigan row for {', '.join(missing)}")
    lsoas = json.loads(_data_path(LSOA_FILE).read_text(encoding="utf-8"))["features"]
    wards = json.loads(_data_path(WARD_FILE).read_text(encoding="utf-8"))["features"]
    created = 0
    for postcode, (latitude, longitude) in sorted(coordinates.items()):
        point = (float(longitude), float(latitude))
        _, was_created = Postcode.objects.update_or_create(
            postcode=postcode,
            defaults={
                "latitude": latitude,
                "longitude": longitude,
                "lsoa21_code": _area_containing(*point, lsoas, "LSOA21CD"),
                "ward_code": _area_containing(*point, wards, "WD25CD"),
                "local_authority_code": WIGAN,
            },
        )
        created += was_created
    return created


# The directory ---------------------------------------------------------------------------------


def parse_hours(text: str) -> schedules.OpeningHours:
    """ "MO-FR 09:00-17:00; SA 10:00-12:00" → opening hours."""
    hours = schedules.OpeningHours()
    codes = schedules.DAY_CODES
    for part in filter(None, (part.strip() for part in text.split(";"))):
        days, times = part.split()
        opens, closes = (datetime.time.fromisoformat(value) for value in times.split("-"))
        for day in days.split(","):
            first, _, last = day.partition("-")
            span = codes[codes.index(first) : codes.index(last or first) + 1]
            hours.days.update(dict.fromkeys(span, (opens, closes)))
    return hours


def _taxonomy() -> dict[str, TaxonomyTerm]:
    taxonomy, _ = Taxonomy.objects.update_or_create(
        id=demo_id("taxonomy", TAXONOMY_NAME),
        defaults={
            "name": TAXONOMY_NAME,
            "description": "The Open Eligibility human services taxonomy (top level), "
            "from the Open Eligibility project (CC BY-SA 3.0).",
            "uri": "https://github.com/auntbertha/openeligibility",
        },
    )
    terms = {}
    for key, (name, description) in TAXONOMY_TERMS.items():
        terms[key], _ = TaxonomyTerm.objects.update_or_create(
            id=demo_id("term", key),
            defaults={
                "name": name,
                "description": description,
                "taxonomy": TAXONOMY_NAME,
                "taxonomy_id": taxonomy.id,
                "term": name,
            },
        )
    return terms


def _organisation(key: str) -> tuple[Organization, bool]:
    name, description = ORGANISATIONS[key]
    slug = key.replace("_", "-")
    return Organization.objects.get_or_create(
        id=demo_id("organisation", key),
        defaults={
            "name": f"{name} (demo)",
            "description": f"{description} {DEMO_LABEL}",
            "email": f"hello@{slug}.demo.opendeal.example",
            "website": f"https://{slug}.demo.opendeal.example",
        },
    )


def _service(item: DemoService, organisation: Organization, terms: dict, today) -> bool:
    """Create the service with everything it has; False when it is already there."""
    service_id = demo_id("service", item.organisation, item.name)
    if Service.objects.filter(id=service_id).exists():
        return False
    service = Service.objects.create(
        id=service_id,
        organization=organisation,
        name=item.name,
        description=f"{item.description} {DEMO_LABEL}",
        email=organisation.email,
        url=organisation.website,
        status=Service.Status.ACTIVE,
        minimum_age=item.ages[0],
        maximum_age=item.ages[1],
        last_modified=timezone.now(),
        last_reviewed_on=today - datetime.timedelta(days=item.reviewed_days_ago),
    )
    street, town = PLACES[item.postcode]
    postcode = Postcode.objects.get(postcode=item.postcode)
    location, _ = Location.objects.get_or_create(
        id=demo_id("location", item.venue),
        defaults={
            "location_type": Location.LocationType.PHYSICAL,
            "name": item.venue,
            "latitude": postcode.latitude,
            "longitude": postcode.longitude,
        },
    )
    Address.objects.get_or_create(
        id=demo_id("address", item.venue),
        defaults={
            "location": location,
            "address_1": street,
            "city": town,
            "state_province": "England",
            "postal_code": item.postcode,
            "country": "GB",
            "address_type": Address.AddressType.PHYSICAL,
        },
    )
    ServiceAtLocation.objects.create(
        id=demo_id("at", str(service_id)), service=service, location=location
    )
    contact = Contact.objects.create(
        id=demo_id("contact", str(service_id)), service=service, name="Enquiries"
    )
    number = 100000 + SERVICES.index(item) * 37
    Phone.objects.create(
        id=demo_id("phone", str(service_id)),
        contact=contact,
        number=f"01942 {number}",  # fictional numbers
        description="Fictional demo number",
    )
    amount, _, per = item.cost.partition(" ")
    CostOption.objects.create(
        id=demo_id("cost", str(service_id)),
        service=service,
        option=per or "Free",
        amount=Decimal(amount or "0"),
        amount_description=f"£{amount} {per}" if amount else "Free of charge",
    )
    for key in item.terms:
        Attribute.objects.create(
            id=demo_id("attribute", str(service_id), key),
            link_type="service",
            link_id=service.id,
            taxonomy_term=terms[key],
        )
    for index, fields in enumerate(schedules.to_schedule_fields(parse_hours(item.hours))):
        Schedule.objects.create(
            id=demo_id("schedule", str(service_id), str(index)), service=service, **fields
        )
    return True


def _member() -> User | None:
    member = User.objects.filter(email=demo_email(Role.COMMUNITY_MEMBER)).first()
    if member is not None:
        OrganizationMember.objects.get_or_create(
            user=member, organization_id=demo_id("organisation", MEMBER_ORGANISATION)
        )
    return member


def _pending_changes(member: User) -> None:
    """Two changes and a confirmation from the demo member, waiting for an editor."""
    services = {service.name: service for service in moderation.owned_services(member)}
    if ListingChange.objects.filter(service__in=services.values()).exists():
        return
    cafe = services["Pay-as-you-feel café"]
    proposed = moderation.snapshot(cafe)
    proposed["description"] = (
        "Hot lunches and a salad bar; pay what you can, or volunteer an hour instead. " + DEMO_LABEL
    )
    proposed["opening_hours"]["days"]["SA"] = ["10:00", "13:00"]
    proposed["opening_hours"]["note"] = "Closed on bank holidays."
    moderation.propose(member, cafe, proposed, note="We now open on Saturdays too.")
    pantry = services["Community pantry"]
    proposed = moderation.snapshot(pantry)
    proposed["cost_options"][0]["amount"] = "4.00"
    proposed["cost_options"][0]["amount_description"] = "£4.00 per weekly shop"
    proposed["contacts"][0]["phones"].append(
        {"id": "", "number": "07700 900123", "description": "Text only (fictional demo number)"}
    )
    moderation.propose(member, pantry, proposed, note="Our prices went up in the new year.")
    moderation.confirm_still_correct(member, services["Emergency food parcels"])


@transaction.atomic
def load_demo_directory() -> str:
    """Load the demo directory; idempotent. Returns a one-line report."""
    try:
        new_postcodes = load_demo_postcodes()
    except DataUnavailable as error:
        return f"Directory: not loaded ({error})."
    terms = _taxonomy()
    today = timezone.localdate()
    organisations = {key: _organisation(key) for key in ORGANISATIONS}
    added = sum(
        _service(item, organisations[item.organisation][0], terms, today) for item in SERVICES
    )
    member = _member()
    if member is not None:
        _pending_changes(member)
    services = Service.objects.filter(organization__in=[o for o, _ in organisations.values()])
    stale = sum(1 for service in services if service.is_stale(today))
    pending = ListingChange.objects.filter(
        service__in=services, status=ListingChange.Status.PENDING
    ).count()
    return (
        f"Directory: {added} services of {len(ORGANISATIONS)} fictional organisations added "
        f"({len(SERVICES)} in all, {stale} stale), {len(PLACES)} postcodes ({new_postcodes} new), "
        f"{pending} changes waiting for review."
    )
