"""The demand dashboard's figures against small data counted by hand, small-number
suppression, and who may see which figures."""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from opendeal.care import demand
from opendeal.care.models import Team
from opendeal.core.roles import Role

from . import demand_factories as make

JAN = datetime.date(2026, 1, 1)
JAN_END = datetime.date(2026, 1, 31)
FEB_END = datetime.date(2026, 2, 28)


@pytest.fixture
def teams(db):
    return Team.objects.create(name="Wigan Central"), Team.objects.create(name="Leigh")


@pytest.fixture
def contacts(teams):
    """Central: six contacts in January (four without formal care) and five in February (all
    information and advice). Leigh: one contact in January."""
    central, leigh = teams
    people = [make.person(central) for _ in range(6)]
    outcomes = [
        "information_and_advice",
        "information_and_advice",
        "community_connection",
        "no_further_action",
        "long_term_support",
        "short_term_support",
    ]
    for someone, outcome in zip(people, outcomes, strict=True):
        make.contact(someone, JAN + datetime.timedelta(days=3), outcome)
    for someone in people[:5]:
        make.contact(someone, datetime.date(2026, 2, 10))
    make.contact(make.person(leigh), JAN + datetime.timedelta(days=9))
    return people


def scope(team: Team) -> demand.Scope:
    return demand.Scope(team.name, (team.pk,))


def test_contacts_per_month_and_share_without_formal_care(teams, contacts):
    central, _ = teams
    months = demand.contacts_by_month(scope(central), JAN, FEB_END)
    assert [(m.month, m.contacts.value, m.without_formal_care.value) for m in months] == [
        (datetime.date(2026, 1, 1), 6, 4),
        (datetime.date(2026, 2, 1), 5, 5),
    ]
    # Four is a small number: January's share is not shown; February's is 5 of 5.
    assert months[0].share_without_formal_care is None
    assert months[1].share_without_formal_care == Decimal("100.0")
    figures = demand.period_figures(scope(central), JAN, FEB_END)
    assert figures.contacts.value == 11
    assert figures.without_formal_care.value == 9
    assert figures.share_without_formal_care == Decimal("81.8")  # 9 / 11


def test_council_wide_counts_every_team(teams, contacts):
    figures = demand.period_figures(demand.Scope("Council"), JAN, FEB_END)
    assert figures.contacts.value == 12


def test_small_numbers_are_suppressed(teams, contacts):
    _, leigh = teams
    figures = demand.period_figures(scope(leigh), JAN, FEB_END)
    assert figures.contacts.value == 1
    assert str(figures.contacts) == "fewer than 5"
    assert figures.share_without_formal_care is None
    assert str(demand.Tally(4)) == "fewer than 5"
    assert str(demand.Tally(5)) == "5"
    assert str(demand.Tally(12345)) == "12,345"


def test_package_spend_is_weekly_cost_times_weeks_active(teams):
    central, _ = teams
    someone = make.person(central)
    # Two weeks at £100.00: £200.00.
    make.package(someone, "100.00", JAN, datetime.date(2026, 1, 14))
    # Began before the period and goes on: 31 of its days fall in January, £70.35 x 31 / 7.
    make.package(someone, "70.35", datetime.date(2025, 12, 25), kind="reablement")
    # Ended before the period: nothing.
    make.package(someone, "999.99", datetime.date(2025, 11, 1), datetime.date(2025, 12, 31))
    # Starts after it: nothing.
    make.package(someone, "500.00", datetime.date(2026, 2, 1))
    figures = demand.package_figures(scope(central), JAN, JAN_END)
    assert figures["spend"] == Decimal("511.55")  # 200.00 + 311.55
    assert figures["in_spend"] == 2
    assert figures["new_long_term"] == 1
    assert figures["mean_weekly_cost"] == Decimal("100.00")


def census_adults_by_hand() -> int:
    """Wigan's usual residents aged 18 and over at Census 2021, added up here from the file."""
    path = Path(settings.OPENDEAL_DATA_DIR) / demand.CENSUS_FILE
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    header = next(row for row in rows if row[:2] == ["Area", "mnemonic"])
    wigan = next(row for row in rows if len(row) > 1 and row[1] == "E08000010")
    return sum(
        int(value)
        for name, value in zip(header, wigan, strict=False)
        if name.startswith("Aged ") and name != "Aged under 1 year" and int(name.split()[1]) >= 18
    )


def test_new_long_term_packages_per_100000_adults(teams):
    adults = demand.adult_population()
    assert adults is not None and adults.area_code == "E08000010"
    assert adults.adults == census_adults_by_hand()
    assert "Census 2021" in adults.source
    central, _ = teams
    for day in range(6):
        make.package(make.person(central), "300.00", JAN + datetime.timedelta(days=day))
    make.package(make.person(central), "300.00", JAN, kind="reablement")
    # The borough's adults are the whole council's denominator, not a team's.
    figures = demand.period_figures(demand.Scope("Council"), JAN, JAN_END)
    assert figures.new_long_term_packages.value == 6
    expected = (Decimal(600_000) / adults.adults).quantize(Decimal("0.1"))
    assert figures.long_term_per_100k == expected
    assert figures.long_term_per_100k_a_year == (
        Decimal(600_000) / adults.adults * Decimal("365.25") / 31
    ).quantize(Decimal("0.1"))


def test_fewer_than_five_new_packages_give_no_rate(teams):
    central, _ = teams
    make.package(make.person(central), "300.00", JAN)
    figures = demand.period_figures(scope(central), JAN, JAN_END)
    assert figures.long_term_per_100k is None


def test_wellbeing_change_by_cohort(teams):
    central, _ = teams
    changes = [
        ("20.00", "21.00"),
        ("18.00", "20.00"),
        ("15.00", "18.00"),
        ("16.50", "20.50"),
        ("22.00", "21.50"),
    ]  # +1, +2, +3, +4, -0.5: mean +1.90
    for first, latest in changes:
        someone = make.person(central)
        make.contact(someone, datetime.date(2026, 1, 5))
        make.contact(someone, datetime.date(2026, 3, 5))  # a later contact moves no cohort
        make.swemwbs(someone, datetime.date(2026, 1, 5), first)
        make.swemwbs(someone, datetime.date(2026, 3, 5), latest)
    # Three answers: first to latest, the middle one ignored.
    third = make.person(central)
    make.contact(third, datetime.date(2026, 1, 20))
    for day, score in ((20, "10.00"), (21, "30.00"), (22, "12.00")):
        make.swemwbs(third, datetime.date(2026, 1, day), score)
    # One answer only: not counted.
    once = make.person(central)
    make.contact(once, datetime.date(2026, 1, 7))
    make.swemwbs(once, datetime.date(2026, 1, 7), "25.00")
    # February's cohort has two people: a small number.
    for _ in range(2):
        someone = make.person(central)
        make.contact(someone, datetime.date(2026, 2, 2))
        make.swemwbs(someone, datetime.date(2026, 2, 2), "20.00")
        make.swemwbs(someone, datetime.date(2026, 2, 20), "25.00")
    # First contacted before the period: in no cohort of it.
    earlier = make.person(central)
    make.contact(earlier, datetime.date(2025, 12, 1))
    make.contact(earlier, datetime.date(2026, 1, 3))
    make.swemwbs(earlier, datetime.date(2026, 1, 3), "10.00")
    make.swemwbs(earlier, datetime.date(2026, 1, 30), "30.00")

    cohorts = demand.wellbeing_cohorts(scope(central), JAN, datetime.date(2026, 3, 31))
    assert [(c.month, c.people.value, c.mean_change) for c in cohorts] == [
        (datetime.date(2026, 1, 1), 6, Decimal("1.92")),  # (1+2+3+4-0.5+2) / 6 = 1.916…
        (datetime.date(2026, 2, 1), 2, None),
    ]
    assert str(cohorts[1].people) == "fewer than 5"


def test_cost_avoided_states_its_arithmetic():
    adults = demand.AdultPopulation(200_000, "test", "E08000010")
    # Four years to the day (one leap day), so the period is exactly 4 x 365.25 days.
    figures = demand.PeriodFigures(
        first=datetime.date(2021, 1, 1),
        last=datetime.date(2024, 12, 31),
        contacts=demand.Tally(0),
        without_formal_care=demand.Tally(0),
        new_long_term_packages=demand.Tally(3900),
        package_spend=Decimal(0),
        packages_in_spend=demand.Tally(0),
        mean_weekly_cost_long_term=Decimal("600.00"),
        adults=adults,
    )
    cost = demand.cost_avoided(figures, Decimal("500"), weeks=52)
    # Expected 500 x 2 x 4 = 4,000; 100 fewer started; 100 x £600 x 52.
    assert cost.expected_packages == Decimal("4000.0")
    assert cost.packages_avoided == Decimal("100.0")
    assert cost.amount == Decimal("3120000.00")
    assert cost.is_saving
    more = demand.cost_avoided(figures, Decimal("450"), weeks=10)
    # Expected 3,600: 300 more than the baseline, -300 x £600 x 10.
    assert more.amount == Decimal("-1800000.00") and not more.is_saving


def test_before_and_after_use_the_earlier_rate_as_baseline(teams):
    central, _ = teams
    for day in range(10):
        make.package(make.person(central), "200.00", JAN + datetime.timedelta(days=day))
    for day in range(5):
        make.package(make.person(central), "300.00", datetime.date(2026, 2, 1 + day))
    council = demand.Scope("The whole council")
    board = demand.dashboard(council, JAN, FEB_END, split_on=datetime.date(2026, 2, 1))
    assert board.before.new_long_term_packages.value == 10
    assert board.after.new_long_term_packages.value == 5
    assert board.cost.baseline_rate == board.before.long_term_per_100k_a_year
    assert board.cost.mean_weekly_cost == Decimal("300.00")
    adults = board.after.adults.adults
    expected = board.before.long_term_per_100k_a_year * adults / 100_000 * 28 / Decimal("365.25")
    assert board.cost.amount == ((expected - 5) * 300 * 52).quantize(Decimal("0.01"))


# Who may see what ---------------------------------------------------------------------------


def test_practitioner_and_others_are_refused(make_user, sign_in, teams):
    for role in (Role.PRACTITIONER, Role.COMMUNITY_MEMBER, Role.PANEL_MEMBER):
        response = sign_in(make_user(role)).get(reverse("care:demand"))
        assert response.status_code == 403, role


def test_signed_out_is_sent_to_sign_in(client, db):
    response = client.get(reverse("care:demand"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_manager_sees_only_their_teams(make_user, sign_in, teams, contacts):
    central, leigh = teams
    manager = make_user(Role.TEAM_MANAGER)
    central.managers.add(manager)
    client = sign_in(manager)
    page = client.get(reverse("care:demand"), {"scope": str(central.public_id)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wigan Central" in html and "Leigh" not in html
    assert page.context["board"].whole.contacts.value == 11
    assert client.get(reverse("care:demand"), {"scope": str(leigh.public_id)}).status_code == 404


def test_analyst_sees_the_council_figures_only(make_user, sign_in, teams, contacts):
    page = sign_in(make_user(Role.ANALYST)).get(reverse("care:demand"))
    assert page.status_code == 200
    board = page.context["board"]
    assert board.scope.team_ids is None
    choices = [value for value, _ in page.context["form"].fields["scope"].choices]
    assert choices == ["council"]


def test_page_shows_no_person_and_explains_suppression(make_user, sign_in, teams, contacts):
    _, leigh = teams
    manager = make_user(Role.TEAM_MANAGER)
    leigh.managers.add(manager)
    page = sign_in(manager).get(
        reverse("care:demand"),
        {"scope": str(leigh.public_id), "first": "2026-01-01", "last": "2026-02-28", "weeks": "52"},
    )
    html = page.content.decode()
    assert "Fictional" not in html
    assert "fewer than 5" in html
    assert "Counts under 5 are shown as" in html
    assert "secondary suppression" in html
    # A team's page: the borough's adults are not its denominator.
    assert f"{demand.adult_population().adults:,} usual residents" not in html
    assert "compared only with its own earlier period" in html
    council = sign_in(make_user(Role.ANALYST)).get(reverse("care:demand")).content.decode()
    assert "Census 2021" in council
    assert f"{demand.adult_population().adults:,} usual residents" in council


def test_bad_dates_are_refused_clearly(make_user, sign_in, teams):
    page = sign_in(make_user(Role.ANALYST)).get(
        reverse("care:demand"),
        {"scope": "council", "first": "2026-03-01", "last": "2026-01-01", "weeks": "52"},
    )
    assert page.status_code == 200
    assert "The end of the period must be on or after its start" in page.content.decode()
    assert "board" not in page.context


def test_contacts_before_and_after_come_from_one_count(teams, contacts):
    central, _ = teams
    board = demand.dashboard(scope(central), JAN, FEB_END, split_on=datetime.date(2026, 1, 20))
    assert (board.before.contacts.value, board.before.without_formal_care.value) == (6, 4)
    assert (board.after.contacts.value, board.after.without_formal_care.value) == (5, 5)
    assert board.whole.contacts.value == 11
    # Before: 4 without formal care (fewer than 5); the whole (9) is shown, so after's 5 would
    # give it back by subtraction: it is hidden too, and so is its share.
    assert str(board.before.without_formal_care) == "fewer than 5"
    assert str(board.after.without_formal_care) == "not shown"
    assert board.after.share_without_formal_care is None
    assert str(board.whole.without_formal_care) == "9"


# A team's own figures (no borough denominator) ----------------------------------------------


def test_a_team_gets_no_rate_per_adults_and_no_borough_baseline(teams):
    central, _ = teams
    for day in range(10):
        make.package(make.person(central), "200.00", JAN + datetime.timedelta(days=day))
    for day in range(5):
        make.package(make.person(central), "300.00", datetime.date(2026, 2, 1 + day))
    # Before the fix, the team was divided by the whole borough's adults, and a stated
    # borough-wide baseline gave a "cost avoided" of millions.
    board = demand.dashboard(scope(central), JAN, FEB_END, baseline_rate=Decimal("400"))
    assert board.is_team
    assert board.whole.adults is None
    assert board.whole.long_term_per_100k is None
    assert board.whole.long_term_per_100k_a_year is None
    assert board.cost is None  # no earlier period of its own to compare with
    assert board.whole.long_term_a_year == (Decimal(15) * Decimal("365.25") / 59).quantize(
        Decimal("0.1")
    )


def test_a_team_is_compared_with_its_own_earlier_period(teams):
    central, _ = teams
    for day in range(10):
        make.package(make.person(central), "200.00", JAN + datetime.timedelta(days=day))
    for day in range(5):
        make.package(make.person(central), "300.00", datetime.date(2026, 2, 1 + day))
    split = datetime.date(2026, 2, 1)
    board = demand.dashboard(
        scope(central), JAN, FEB_END, split_on=split, baseline_rate=Decimal("400")
    )
    before_rate = (Decimal(10) * Decimal("365.25") / 31).quantize(Decimal("0.1"))
    assert board.before.long_term_a_year == before_rate
    assert board.cost.baseline_rate == before_rate  # not the 400 given
    assert not board.cost.per_adults
    assert "own rate before 1 February 2026" in board.baseline_source
    expected = before_rate * 28 / Decimal("365.25")
    assert board.cost.amount == ((expected - 5) * 300 * 52).quantize(Decimal("0.01"))


def test_the_team_page_says_how_a_team_is_compared(make_user, sign_in, teams):
    central, _ = teams
    for day in range(6):
        make.package(make.person(central), "200.00", JAN + datetime.timedelta(days=day))
    manager = make_user(Role.TEAM_MANAGER)
    central.managers.add(manager)
    client = sign_in(manager)
    query = {"scope": str(central.public_id), "first": "2026-01-01", "last": "2026-02-28"}
    html = client.get(reverse("care:demand"), {**query, "weeks": "52"}).content.decode()
    assert "a year in this team" in html
    assert "per 100,000 adults in the period" not in html
    assert "the cost avoided compares the team only with its own earlier period" in html
    # A borough-wide baseline rate is refused for a team, clearly.
    refused = client.get(reverse("care:demand"), {**query, "weeks": "52", "baseline_rate": "400"})
    assert "A baseline rate per 100,000 adults is for the whole council" in (
        refused.content.decode()
    )
    assert "board" not in refused.context
    # The same rate for the whole council is used as before.
    council = client.get(
        reverse("care:demand"), {**query, "scope": "council", "weeks": "52", "baseline_rate": "400"}
    )
    assert council.context["board"].cost is not None
    assert council.context["board"].cost.per_adults


# Wellbeing before and after ------------------------------------------------------------------


def _answered(team: Team, first_contact: datetime.date, first: str, latest: str) -> None:
    someone = make.person(team)
    make.contact(someone, first_contact)
    make.swemwbs(someone, first_contact, first)
    make.swemwbs(someone, first_contact + datetime.timedelta(days=40), latest)


def test_wellbeing_change_before_and_after_a_date(teams):
    central, _ = teams
    split = datetime.date(2026, 2, 1)
    for first, latest in (("20.00", "21.00"), ("18.00", "20.00"), ("15.00", "18.00")):
        _answered(central, datetime.date(2026, 1, 5), first, latest)
    for first, latest in (("20.00", "24.00"), ("16.00", "20.00")):
        _answered(central, datetime.date(2026, 1, 10), first, latest)
    # Before: +1, +2, +3, +4, +4 = mean 2.80 for 5 people.
    for first, latest in (("20.00", "19.00"), ("20.00", "21.00"), ("20.00", "20.50")):
        _answered(central, datetime.date(2026, 2, 20), first, latest)
    # After: 3 people (-1, +1, +0.5): fewer than 5, no mean.
    board = demand.dashboard(scope(central), JAN, datetime.date(2026, 3, 31), split_on=split)
    assert board.before.wellbeing.people.value == 5
    assert board.before.wellbeing.mean_change == Decimal("2.80")
    assert board.after.wellbeing.people.value == 3
    assert str(board.after.wellbeing.people) == "fewer than 5"
    assert board.after.wellbeing.mean_change is None
    for _ in range(2):
        _answered(central, datetime.date(2026, 3, 3), "20.00", "22.00")
    board = demand.dashboard(scope(central), JAN, datetime.date(2026, 3, 31), split_on=split)
    # After: 5 people, (-1 + 1 + 0.5 + 2 + 2) / 5 = 0.90.
    assert (board.after.wellbeing.people.value, board.after.wellbeing.mean_change) == (
        5,
        Decimal("0.90"),
    )


def test_the_page_shows_wellbeing_before_and_after(make_user, sign_in, teams):
    central, _ = teams
    for day in range(5):
        _answered(central, datetime.date(2026, 1, 2 + day), "20.00", "23.00")
        _answered(central, datetime.date(2026, 2, 2 + day), "20.00", "21.00")
    html = (
        sign_in(make_user(Role.ANALYST))
        .get(
            reverse("care:demand"),
            {
                "scope": "council",
                "first": "2026-01-01",
                "last": "2026-03-31",
                "split_on": "2026-02-01",
                "weeks": "52",
            },
        )
        .content.decode()
    )
    row = html.split('id="wellbeing-before-after"')[1].split("</tr>")[0]
    assert "Wellbeing: mean change in SWEMWBS metric score" in row
    assert "3.00 (5 people)" in row and "1.00 (5 people)" in row


# Secondary suppression ---------------------------------------------------------------------


def test_a_hidden_month_cannot_be_worked_out_from_the_period_total(teams):
    central, _ = teams
    people = [make.person(central) for _ in range(20)]
    for someone in people[:3]:
        make.contact(someone, datetime.date(2026, 1, 5))  # January: 3
    for someone in people[:8]:
        make.contact(someone, datetime.date(2026, 2, 5))  # February: 8
    for someone in people[:12]:
        make.contact(someone, datetime.date(2026, 3, 5))  # March: 12
    board = demand.dashboard(scope(central), JAN, datetime.date(2026, 3, 31))
    months = {month.month.month: str(month.contacts) for month in board.whole.months}
    # Before the fix: 3 hidden, 8 and 12 shown, the total 23 shown: 23 - 8 - 12 = 3.
    assert months == {1: "fewer than 5", 2: "not shown", 3: "12"}
    assert str(board.whole.contacts) == "23"


def test_after_is_hidden_when_before_is_small_and_the_whole_is_shown(teams):
    central, _ = teams
    for day in range(3):
        make.package(make.person(central), "200.00", JAN + datetime.timedelta(days=day))
    for day in range(9):
        make.package(make.person(central), "300.00", datetime.date(2026, 2, 1 + day))
    board = demand.dashboard(scope(central), JAN, FEB_END, split_on=datetime.date(2026, 2, 1))
    assert str(board.whole.new_long_term_packages) == "12"
    assert str(board.before.new_long_term_packages) == "fewer than 5"
    assert str(board.after.new_long_term_packages) == "not shown"
    assert board.after.long_term_a_year is None
    assert board.cost is None  # it would give the count after back
    # Spend: 3 packages before (fewer than 5), so spend after is hidden too.
    assert not board.before.spend_shown and not board.after.spend_shown
    assert board.whole.spend_shown


def test_nothing_more_is_hidden_when_no_count_is_small(teams, contacts):
    central, _ = teams
    for day in range(6):
        make.contact(make.person(central), datetime.date(2026, 1, 25 + day))
    board = demand.dashboard(scope(central), JAN, FEB_END)
    assert [str(month.contacts) for month in board.whole.months] == ["12", "5"]
    assert [month.contacts.hidden for month in board.whole.months] == [False, False]


def test_the_page_explains_secondary_suppression(make_user, sign_in, teams, contacts):
    html = sign_in(make_user(Role.ANALYST)).get(reverse("care:demand")).content.decode()
    assert "secondary suppression" in html
    assert "no role sees the hidden counts" in html


def test_a_small_wellbeing_group_after_a_mid_month_date_cannot_be_worked_out(teams):
    central, _ = teams
    for _ in range(5):
        _answered(central, datetime.date(2026, 1, 5), "20.00", "23.00")
    for _ in range(3):
        _answered(central, datetime.date(2026, 1, 20), "20.00", "10.00")
    board = demand.dashboard(
        scope(central), JAN, datetime.date(2026, 3, 31), split_on=datetime.date(2026, 1, 15)
    )
    # January's cohort (8) is before (5) + after (3): showing 8 and 5 would give the 3 back,
    # and with the means, their change. Before is hidden too.
    assert str(board.whole.cohorts[0].people) == "8"
    assert str(board.after.wellbeing.people) == "fewer than 5"
    assert str(board.before.wellbeing.people) == "not shown"
    assert board.before.wellbeing.mean_change is None
