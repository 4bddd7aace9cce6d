"""A Deal measure takes its quarterly figures from the care records (issue 9): people connected
to community services and their change in wellbeing, borough-wide, complete quarters only,
small numbers left out."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from playwright.sync_api import expect

from opendeal.care.models import Connection, ConnectionStatus, Person, Team
from opendeal.care.outcomes import (
    QuarterFigure,
    people_connected_by_quarter,
    wellbeing_change_by_quarter,
)
from opendeal.care.tests.demand_factories import swemwbs
from opendeal.core.demo import demo_email
from opendeal.core.fingertips import Figure
from opendeal.core.models import AuditEvent
from opendeal.core.roles import Role
from opendeal.core.testing.axe import assert_accessible
from opendeal.core.testing.browser import signed_in, visit
from opendeal.deal.demo import CARE_MEASURE_REFERENCE, load_demo_care_measure
from opendeal.deal.models import (
    CareSeries,
    Commitment,
    Direction,
    Measure,
    MeasureKind,
    ProgressUpdate,
    Reading,
)
from opendeal.deal.published_figures import (
    CARE_PUBLISHER,
    care_figures,
    record_care_figures,
    refresh_linked_measures,
)
from opendeal.directory.models import Service
from opendeal.observatory.models import Indicator

from .factories import SmallDeal, make_small_deal

pytestmark = pytest.mark.django_db

D = datetime.date
# Inside the last quarter of 2024, so October to December is not complete.
TODAY = D(2024, 11, 15)


@pytest.fixture
def deal() -> SmallDeal:
    return make_small_deal()


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="North")


@pytest.fixture
def services() -> list[Service]:
    return [
        Service.objects.create(id=uuid.uuid4(), name=name, description=name, status="active")
        for name in ("Walking group", "Lunch club")
    ]


def _person(team: Team) -> Person:
    return Person.objects.create(
        team=team, given_name="Fictional", family_name="Person", is_fictional=True
    )


def _connect(
    person: Person, service: Service, made_on: datetime.date, status: str = "suggested"
) -> None:
    Connection.objects.create(
        person=person, service=service, status=status, made_on=made_on, status_changed_on=made_on
    )


def _care_measure(deal: SmallDeal, series: str = CareSeries.PEOPLE_CONNECTED, **fields) -> Measure:
    values = {
        "reference": "HW1.2",
        "title": "People connected to community support",
        "kind": MeasureKind.METRIC,
        "unit": "people",
        "direction": Direction.INCREASE,
        "target_value": Decimal("20"),
        "care_series": series,
        **fields,
    }
    return Measure.objects.create(commitment=deal.active_lives, **values)


@pytest.fixture
def connections(team, services):
    """January to March 2024: 6 people (one connected twice, one also declined elsewhere) and
    one who only declined; April to June: 4; July to September: 5, on the quarter's first and
    last days among them; October to December (not complete on TODAY): 7."""
    walking, lunch = services
    first = [_person(team) for _ in range(6)]
    for day, person in zip(range(1, 7), first, strict=True):
        _connect(person, walking, D(2024, 1, 10 + day))
    _connect(first[0], lunch, D(2024, 3, 31))
    _connect(first[1], lunch, D(2024, 2, 1), status=ConnectionStatus.DECLINED)
    _connect(_person(team), walking, D(2024, 2, 2), status=ConnectionStatus.DECLINED)
    for day in range(4):
        _connect(_person(team), lunch, D(2024, 5, 1 + day), status=ConnectionStatus.ATTENDED)
    for day in (D(2024, 7, 1), D(2024, 8, 1), D(2024, 8, 2), D(2024, 9, 1), D(2024, 9, 30)):
        _connect(_person(team), walking, day, status=ConnectionStatus.STOPPED)
    for day in range(7):
        _connect(_person(team), walking, D(2024, 10, 1 + day))


def test_people_connected_are_counted_once_a_quarter_without_the_declined(connections):
    assert people_connected_by_quarter() == [
        QuarterFigure(D(2024, 1, 1), 6, Decimal(6)),
        QuarterFigure(D(2024, 4, 1), 4, Decimal(4)),
        QuarterFigure(D(2024, 7, 1), 5, Decimal(5)),
        QuarterFigure(D(2024, 10, 1), 7, Decimal(7)),
    ]


def test_the_measure_gets_complete_quarters_of_5_or_more_dated_the_quarters_last_day(
    deal, connections
):
    measure = _care_measure(deal)
    assert care_figures(measure, today=TODAY) == [
        Figure("January to March 2024", D(2024, 3, 31), Decimal(6)),
        Figure("July to September 2024", D(2024, 9, 30), Decimal(5)),
    ]
    # The last day of a quarter is not yet the end of it.
    assert care_figures(measure, today=D(2024, 12, 31))[-1].period_end == D(2024, 9, 30)
    assert care_figures(measure, today=D(2025, 1, 1))[-1] == Figure(
        "October to December 2024", D(2024, 12, 31), Decimal(7)
    )


@pytest.fixture
def answers(team):
    """SWEMWBS metric scores. Counted April to June: six people, changes +2.00, +1.50 (their
    latest in the quarter), +1.00 (two answers on one day), -2.00, 0.00, -2.35: a total of
    +0.15, a mean of 0.025, so 0.03 rounded half up. One person answered only once."""
    people = [_person(team) for _ in range(7)]
    a, b, c, d, e, f, g = people
    swemwbs(a, D(2024, 2, 1), "20.00")
    swemwbs(a, D(2024, 5, 1), "22.00")
    swemwbs(b, D(2024, 3, 10), "18.00")
    swemwbs(b, D(2024, 4, 20), "17.00")
    swemwbs(b, D(2024, 6, 30), "19.50")
    swemwbs(b, D(2024, 8, 1), "25.00")  # July to September: +7.00 from the first answer
    # The first recorded on the first day, the last recorded on the latest, as demand.py.
    swemwbs(c, D(2024, 4, 2), "15.00")
    swemwbs(c, D(2024, 4, 2), "16.00")
    swemwbs(d, D(2024, 1, 5), "23.00")
    swemwbs(d, D(2024, 6, 1), "21.00")
    swemwbs(e, D(2024, 3, 31), "19.00")
    swemwbs(e, D(2024, 4, 1), "19.00")
    swemwbs(f, D(2024, 2, 29), "20.00")
    swemwbs(f, D(2024, 5, 5), "17.65")
    swemwbs(g, D(2024, 5, 5), "24.00")
    return people


def test_wellbeing_change_is_the_mean_from_first_to_latest_answer_in_each_quarter(answers):
    assert wellbeing_change_by_quarter() == [
        QuarterFigure(D(2024, 4, 1), 6, Decimal("0.03")),
        QuarterFigure(D(2024, 7, 1), 1, Decimal("7.00")),
    ]


def test_the_wellbeing_measure_leaves_out_the_quarter_with_one_person(deal, answers):
    measure = _care_measure(deal, CareSeries.WELLBEING_CHANGE, unit="")
    (figure,) = care_figures(measure, today=TODAY)
    assert figure == Figure("April to June 2024", D(2024, 6, 30), Decimal("0.03"))
    assert isinstance(figure.value, Decimal)


def test_recording_the_care_figures_twice_records_them_once(deal, connections, make_user):
    analyst = make_user(Role.ANALYST)
    measure = _care_measure(deal)
    assert record_care_figures(analyst, measure, today=D(2025, 1, 15)) == 2
    measure.refresh_from_db()
    # The first quarter shown is the baseline; the later ones are readings.
    assert (measure.baseline_value, measure.baseline_on) == (Decimal(6), D(2024, 3, 31))
    assert list(measure.readings.values_list("observed_on", "value")) == [
        (D(2024, 9, 30), Decimal(5)),
        (D(2024, 12, 31), Decimal(7)),
    ]
    update = ProgressUpdate.objects.get(measure=measure, occurred_on=D(2024, 9, 30))
    assert update.summary == (
        "People connected to community support was 5 people on 30 September 2024. "
        f"Published by {CARE_PUBLISHER} for the period July to September 2024."
    )
    assert AuditEvent.objects.filter(action="deal.reading.recorded").count() == 2
    counts = (Reading.objects.count(), ProgressUpdate.objects.count(), AuditEvent.objects.count())

    assert record_care_figures(analyst, measure, today=D(2025, 1, 15)) == 0
    assert (
        Reading.objects.count(),
        ProgressUpdate.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_a_typed_baseline_keeps_every_later_quarter_as_a_reading(deal, connections, make_user):
    measure = _care_measure(deal, baseline_value=Decimal(3), baseline_on=D(2023, 12, 31))
    assert record_care_figures(make_user(Role.ANALYST), measure, today=TODAY) == 2
    assert list(measure.readings.values_list("observed_on", flat=True)) == [
        D(2024, 3, 31),
        D(2024, 9, 30),
    ]


def test_the_public_measure_shows_the_quarters(client, deal, connections, make_user):
    measure = _care_measure(deal, source=f"{CARE_PUBLISHER}, every quarter")
    record_care_figures(make_user(Role.ANALYST), measure, today=TODAY)
    html = client.get(reverse("deal:commitment", args=[deal.active_lives.public_id])).content
    html = html.decode()
    assert "HW1.2: People connected to community support" in html
    for label, value in [("Baseline, 31 March 2024", "6 people"), ("30 September 2024", "5")]:
        assert (
            f'<th scope="row" class="govuk-table__header">{label}</th>\n'
            f'              <td class="govuk-table__cell govuk-table__cell--numeric">{value}'
        ) in html
    assert "5 people on 30 September 2024" in html
    assert escape(f"{CARE_PUBLISHER}, every quarter") in html
    # The suppressed quarter is nowhere.
    assert "30 June 2024" not in html


# Which series, and only one ------------------------------------------------------------------


@pytest.fixture
def indicator() -> Indicator:
    return Indicator.objects.create(
        source="fingertips", code="90366", slug="fingertips-90366", name="Life expectancy"
    )


def test_a_measure_cannot_take_both_an_observatory_and_a_care_series(deal, indicator):
    measure = deal.activity
    measure.observatory_indicator = indicator
    measure.care_series = CareSeries.PEOPLE_CONNECTED
    with pytest.raises(ValidationError) as raised:
        measure.full_clean()
    assert "already linked to an observatory series" in raised.value.message_dict["care_series"][0]
    measure.care_series = ""
    measure.full_clean()
    measure.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(care_series=CareSeries.WELLBEING_CHANGE)


MEASURE_POST = {
    "reference": "HW1.1",
    "title": "People connected to community support",
    "kind": "metric",
    "weight": "1",
    "unit": "people",
    "direction": "increase",
    "baseline_value": "",
    "baseline_on": "",
    "target_value": "20",
    "target_on": "2027-03-31",
    "source": "",
    "care_series": "people_connected",
}


def test_staff_link_a_measure_to_a_care_series_on_its_form(sign_in, administrator, deal):
    caller = sign_in(administrator)
    url = reverse("deal:manage-measure-edit", args=[deal.activity.public_id])
    form = caller.get(url).content.decode()
    assert "Figures from the care records" in form
    assert "Quarters with fewer than 5 people are left out." in form
    assert 'value="people_connected"' in form and 'value="wellbeing_change"' in form

    response = caller.post(url, MEASURE_POST)
    assert response.status_code == 302
    deal.activity.refresh_from_db()
    # A linked series may leave the baseline to its first quarter.
    assert (deal.activity.care_series, deal.activity.baseline_value) == ("people_connected", None)
    page = caller.get(reverse("deal:manage-commitment", args=[deal.active_lives.public_id]))
    assert "people connected to a community service in the quarter" in page.content.decode()

    # Without a series the baseline is needed as before.
    response = caller.post(url, {**MEASURE_POST, "care_series": ""})
    assert "Enter the baseline: the figure progress is measured from." in response.content.decode()


def test_the_form_refuses_a_care_series_beside_an_observatory_one(
    sign_in, administrator, deal, indicator
):
    Measure.objects.filter(pk=deal.activity.pk).update(observatory_indicator=indicator)
    response = sign_in(administrator).post(
        reverse("deal:manage-measure-edit", args=[deal.activity.public_id]),
        {**MEASURE_POST, "observatory_indicator": indicator.slug},
    )
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert 'href="#id_care_series_0">A measure takes its figures from one series' in content
    deal.activity.refresh_from_db()
    assert deal.activity.care_series == ""


def test_staff_link_a_measure_to_an_observatory_series_and_the_housekeeping_fills_it(
    sign_in, administrator, deal, indicator, make_user
):
    from opendeal.observatory.models import Area, Observation, Release

    wigan = Area.objects.create(code=deal.deal.area_code, name="Wigan", area_type="metropolitan")
    release = Release.objects.create(
        indicator=indicator, label="2024", file_name="le.csv", checksum="x", last_period_sortable=3
    )
    for year, value in ((2021, "78.1"), (2022, "78.4"), (2023, "78.9")):
        for sex, offset in (("Male", 0), ("Female", 4)):
            Observation.objects.create(
                release=release,
                area=wigan,
                sex=sex,
                period=str(year),
                period_sortable=year,
                period_end=datetime.date(year, 12, 31),
                value=Decimal(value) + offset,
            )
    caller = sign_in(administrator)
    url = reverse("deal:manage-measure-edit", args=[deal.activity.public_id])
    assert "Figures from the observatory" in caller.get(url).content.decode()
    post = {
        **MEASURE_POST,
        "care_series": "",
        "observatory_indicator": indicator.slug,
        "observatory_sex": "Female",
    }
    assert caller.post(url, post).status_code == 302
    measure = Measure.objects.get(pk=deal.activity.pk)
    assert (measure.observatory_indicator, measure.observatory_sex) == (indicator, "Female")
    page = caller.get(reverse("deal:manage-commitment", args=[deal.active_lives.public_id]))
    assert "The observatory: Life expectancy (Female)" in page.content.decode()

    analyst = make_user(Role.ANALYST)
    out = io.StringIO()
    call_command("deal_housekeeping", "--record-as", analyst.email, stdout=out)
    # The first figure is the baseline; the two after it are readings, women's figures only.
    assert "Recorded 0 figures from the care records and 2 from the observatory." in (
        out.getvalue()
    )
    measure.refresh_from_db()
    assert measure.baseline_value == Decimal("82.1")
    assert list(measure.readings.order_by("observed_on").values_list("value", flat=True)) == [
        Decimal("82.4"),
        Decimal("82.9"),
    ]
    call_command("deal_housekeeping", "--record-as", analyst.email, stdout=io.StringIO())
    assert measure.readings.count() == 2


def test_a_milestones_measure_keeps_no_care_series(sign_in, administrator, deal):
    response = sign_in(administrator).post(
        reverse("deal:manage-measure-edit", args=[deal.fund_milestones.public_id]),
        {**MEASURE_POST, "reference": "HW2.1", "kind": "milestones"},
    )
    assert response.status_code == 302
    deal.fund_milestones.refresh_from_db()
    assert deal.fund_milestones.care_series == ""


@pytest.mark.browser
def test_choosing_a_care_series_in_a_browser(
    transactional_db, page, live_server, sign_in, administrator
):
    small = make_small_deal()
    signed_in(page, live_server, sign_in(administrator))
    visit(page, reverse("deal:manage-measure-edit", args=[small.activity.public_id]))
    page.get_by_label("People connected to a community service in the quarter").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The measure HW1.1 has been updated."
    )
    expect(page.get_by_text("The care records, each quarter")).to_be_visible()
    assert_accessible(page)
    small.activity.refresh_from_db()
    assert small.activity.care_series == CareSeries.PEOPLE_CONNECTED


# The daily housekeeping ----------------------------------------------------------------------


def test_the_deal_housekeeping_records_new_quarters_as_the_named_account(
    deal, connections, make_user
):
    analyst = make_user(Role.ANALYST)
    measure = _care_measure(deal)
    with pytest.raises(CommandError, match="--record-as"):
        call_command("deal_housekeeping")
    assert not measure.readings.exists()

    out = io.StringIO()
    call_command("deal_housekeeping", "--record-as", analyst.email, stdout=out)
    # Every quarter of 2024 is complete by now; the first is the baseline.
    assert "Recorded 2 figures from the care records and 0 from the observatory." in (
        out.getvalue()
    )
    assert measure.readings.count() == 2
    assert set(
        AuditEvent.objects.filter(action="deal.reading.recorded").values_list("actor", flat=True)
    ) == {analyst.pk}
    out = io.StringIO()
    call_command("deal_housekeeping", "--record-as", analyst.email, stdout=out)
    assert "Recorded 0 figures from the care records and 0 from the observatory." in (
        out.getvalue()
    )


def test_the_housekeeping_works_out_a_series_once_for_every_measure_that_follows_it(
    deal, connections, make_user, monkeypatch
):
    from opendeal.care import outcomes

    first = _care_measure(deal)
    second = _care_measure(deal, reference="HW1.3")
    worked_out = []
    real = outcomes.people_connected_by_quarter

    def counted():
        worked_out.append(1)
        return real()

    monkeypatch.setattr(outcomes, "people_connected_by_quarter", counted)
    refreshed = refresh_linked_measures(make_user(Role.ANALYST))

    assert refreshed.care == 4
    assert first.readings.count() == second.readings.count() == 2
    assert len(worked_out) == 1


def test_the_housekeeping_refuses_an_account_that_cannot_record_progress(
    deal, connections, resident
):
    _care_measure(deal)
    with pytest.raises(CommandError, match="recording progress on the Deal"):
        call_command("deal_housekeeping", "--record-as", resident.email)
    with pytest.raises(CommandError, match="no active account"):
        call_command("deal_housekeeping", "--record-as", "nobody@example.org")
    assert not Reading.objects.exists()


# The demo ------------------------------------------------------------------------------------


def test_the_demo_links_a_measure_to_the_care_records_once(connections, make_user):
    make_user(Role.ANALYST, email=demo_email(Role.ANALYST))
    small = make_small_deal()
    commitment = small.active_lives
    Commitment.objects.filter(pk=commitment.pk).update(reference="AS1")
    assert "2 quarters from the care records recorded this run" in load_demo_care_measure()
    measure = Measure.objects.get(reference=CARE_MEASURE_REFERENCE)
    assert (measure.commitment, measure.care_series) == (commitment, "people_connected")
    # All of 2024 is complete: January to March is the baseline, then two readings.
    assert (measure.baseline_value, measure.baseline_on) == (Decimal(6), D(2024, 3, 31))
    assert list(measure.readings.values_list("value", flat=True)) == [Decimal(5), Decimal(7)]
    assert "0 quarters from the care records recorded this run" in load_demo_care_measure()
    assert Measure.objects.filter(reference=CARE_MEASURE_REFERENCE).count() == 1
    assert measure.readings.count() == 2
