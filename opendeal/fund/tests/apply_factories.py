"""Builders for fund-apply's tests: a fund with an open round set up like Wigan's, an
organisation with a member, postcodes, and an application filled in up to a given point."""

import datetime
import io
import zipfile
from decimal import Decimal

from django.utils import timezone

from opendeal.core.models import User
from opendeal.deal.models import Deal, Theme
from opendeal.fund import applications
from opendeal.fund.models import (
    Application,
    EligibilityQuestion,
    FormQuestion,
    Fund,
    Organisation,
    Priority,
    Round,
    Tier,
)
from opendeal.geography.models import Postcode

PROJECT_POSTCODE = "WN1 1AA"


def make_postcodes() -> None:
    Postcode.objects.get_or_create(
        postcode=PROJECT_POSTCODE,
        defaults={
            "latitude": Decimal("53.545000"),
            "longitude": Decimal("-2.632000"),
            "lsoa21_code": "E01006234",
            "ward_code": "E05000849",
            "local_authority_code": "E08000010",
        },
    )
    Postcode.objects.get_or_create(
        postcode="WN5 9XX",
        defaults={
            "latitude": Decimal("53.540000"),
            "longitude": Decimal("-2.680000"),
            "lsoa21_code": "E01006300",
            "ward_code": "E05000850",
            "local_authority_code": "E08000010",
        },
    )


def make_theme() -> Theme:
    deal, _ = Deal.objects.get_or_create(
        slug="test-deal",
        defaults={
            "title": "Test Deal",
            "area_code": "E08000010",
            "summary": "A Deal for tests.",
            "starts_on": datetime.date(2024, 1, 1),
        },
    )
    theme, _ = Theme.objects.get_or_create(deal=deal, slug="healthy", defaults={"title": "Healthy"})
    return theme


def make_open_round(
    *, closes_at: datetime.datetime | None = None, slug: str = "round-1", fund: Fund | None = None
) -> Round:
    """A published round open now, with Wigan's two tiers, two priorities, two eligibility
    questions and two form questions (one with a 50-word limit)."""
    now = timezone.now()
    fund = (
        fund
        or Fund.objects.get_or_create(
            slug="communities",
            defaults={
                "name": "Communities Investment Fund",
                "is_published": True,
                "programme_code": "DFC",
            },
        )[0]
    )
    round_ = Round.objects.create(
        fund=fund,
        title=f"Round {slug}",
        slug=slug,
        opens_at=now - datetime.timedelta(days=7),
        closes_at=closes_at or now + datetime.timedelta(days=7),
        budget=Decimal("100000.00"),
        published=True,
    )
    Tier.objects.create(
        round=round_,
        name="Small",
        maximum_amount=Decimal("2000.00"),
        maximum_years=1,
        taper=[100],
        position=0,
    )
    Tier.objects.create(
        round=round_,
        name="Big idea",
        minimum_amount=Decimal("2000.01"),
        maximum_amount=Decimal("50000.00"),
        maximum_years=3,
        taper=[100, 66, 33],
        position=1,
    )
    theme = make_theme()
    Priority.objects.create(round=round_, title="Healthy lives", deal_theme=theme, position=0)
    Priority.objects.create(round=round_, title="Less loneliness", position=1)
    EligibilityQuestion.objects.create(
        round=round_,
        text="Is your organisation not-for-profit?",
        eligible_answer=True,
        ineligible_message="The fund supports not-for-profit organisations only.",
        position=0,
    )
    EligibilityQuestion.objects.create(
        round=round_,
        text="Is the project for people outside the borough?",
        eligible_answer=False,
        ineligible_message="Projects must benefit people who live in the borough.",
        position=1,
    )
    FormQuestion.objects.create(
        round=round_, text="What need will the project meet?", max_words=50, position=0
    )
    FormQuestion.objects.create(round=round_, text="Anything else?", required=False, position=1)
    make_postcodes()
    return round_


def make_organisation(user: User, name: str = "Friends of Mesnes Park") -> Organisation:
    return applications.register_organisation(
        user,
        name=name,
        kind="registered_charity",
        charity_number="1123456" if name == "Friends of Mesnes Park" else "",
        address_line_1="1 Park Road",
        town="Wigan",
        postcode=PROJECT_POSTCODE,
    )


def eligible_answers(round_: Round) -> dict[int, bool]:
    return {q.pk: q.eligible_answer for q in round_.eligibility_questions.all()}


def complete_application(user: User, round_: Round, organisation: Organisation) -> Application:
    """A draft with every section done: small tier, £1,500.50 over one year."""
    application = applications.start_application(user, round_, organisation)
    applications.save_eligibility(user, application, eligible_answers(round_))
    small = round_.tiers.get(name="Small")
    applications.save_project(
        user,
        application,
        project_title="Park walks",
        summary="Weekly walks in the park for people who live alone.",
        priorities=list(round_.priorities.all()[:1]),
        tier=small,
        amount_requested=Decimal("1500.50"),
        years=1,
        postcode=PROJECT_POSTCODE,
    )
    first = round_.form_questions.first()
    applications.save_answers(user, application, {first.pk: "Older people are lonely."})
    applications.add_budget_line(
        user, application, year=1, description="Walk leaders", amount=Decimal("1000.00")
    )
    applications.add_budget_line(
        user, application, year=1, description="Flasks and tea", amount=Decimal("500.50")
    )
    application.refresh_from_db()
    return application


# Small files of each kind, with the bytes their type is recognised by.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def office_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "<Relationships/>")
            part = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
            archive.writestr(part, "<document/>")
    return buffer.getvalue()
