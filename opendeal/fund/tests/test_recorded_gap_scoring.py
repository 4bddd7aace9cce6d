"""Scoring can weight "answers a recorded gap" (issue 9): the maths, the round's set-up form,
and the pages that say which gap an application answers."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from opendeal.core.roles import Role
from opendeal.directory.models import TaxonomyTerm
from opendeal.fund import neighbourhoods, recorded_gaps, scoring
from opendeal.fund.models import Application, Priority, Round, Score
from opendeal.fund.round_forms import RoundForm
from opendeal.fund.scoring import CriterionScore, RecordedGapCriterion

from .apply_factories import eligible_answers, make_open_round, make_organisation
from .decide_factories import make_application, make_round

LSOA = "E01006212"
GAP = recorded_gaps.RecordedGap(term="Befriending", area_code=LSOA, area_name="Wigan 026A")
GAP_TEXT = "Yes — Befriending in Wigan 026A"


@pytest.fixture(autouse=True)
def _lsoa_names(monkeypatch):
    # The neighbourhood's name without depending on the shared boundary files being present.
    monkeypatch.setattr(neighbourhoods, "lsoa_names", lambda: {LSOA: "Wigan 026A"})


def gap_priority(round_: Round, title: str = "Befriending in Wigan 026A") -> Priority:
    term = TaxonomyTerm.objects.create(id=uuid.uuid4(), name="Befriending", description="")
    return Priority.objects.create(
        round=round_, title=title, gap_taxonomy_term=term, gap_area_code=LSOA, position=5
    )


def score_all(member, application, values):
    criteria = application.round.criteria.order_by("position")
    sheet = {
        criterion.pk: CriterionScore(value)
        for criterion, value in zip(criteria, values, strict=True)
    }
    return scoring.record_scores(member, application, sheet)


# The maths ------------------------------------------------------------------------------------


WEIGHTS = {1: Decimal("1"), 2: Decimal("1")}


def test_without_a_weight_the_score_is_the_panel_members_alone():
    unweighted = scoring.weighted_score({1: 3, 2: 4}, WEIGHTS)
    assert unweighted == Decimal("3.5")
    for answers in ((GAP,), ()):
        gap = RecordedGapCriterion(Decimal("0"), answers)
        assert scoring.weighted_score({1: 3, 2: 4}, WEIGHTS, gap) == Decimal("3.5")


def test_answering_a_gap_counts_as_a_5_with_the_rounds_weight():
    answers = RecordedGapCriterion(Decimal("2"), (GAP,))
    misses = RecordedGapCriterion(Decimal("2"), ())
    # (1x3 + 1x4 + 2x5) / (1 + 1 + 2) = 17/4
    assert scoring.weighted_score({1: 3, 2: 4}, WEIGHTS, answers) == Decimal("4.25")
    # (1x3 + 1x4 + 2x0) / 4 = 7/4
    assert scoring.weighted_score({1: 3, 2: 4}, WEIGHTS, misses) == Decimal("1.75")
    # Still on the 0-5 scale at the extremes.
    assert scoring.weighted_score({1: 5, 2: 5}, WEIGHTS, answers) == Decimal(5)
    assert scoring.weighted_score({1: 0, 2: 0}, WEIGHTS, misses) == Decimal(0)
    assert answers.score == 5 and misses.score == 0


def test_a_sheet_part_way_through_still_does_not_count():
    answers = RecordedGapCriterion(Decimal("2"), (GAP,))
    assert scoring.weighted_score({1: 3}, WEIGHTS, answers) is None


def test_describing_the_gap_in_words():
    assert str(RecordedGapCriterion(Decimal("1"), (GAP,))) == GAP_TEXT
    assert str(RecordedGapCriterion(Decimal("1"), ())) == "No"
    assert recorded_gaps.area_name("E99999999") == "E99999999"


# Ranking --------------------------------------------------------------------------------------


@pytest.fixture
def panel(make_user):
    return [make_user(Role.PANEL_MEMBER, full_name=f"Panel member {n}") for n in range(2)]


@pytest.fixture
def gap_round():
    round_ = make_round(weights=("1", "1"))
    Round.objects.filter(pk=round_.pk).update(recorded_gap_weight=Decimal("2"))
    round_.refresh_from_db()
    return round_


@pytest.mark.django_db
def test_ranking_weights_the_gap_and_keeps_panel_scores_as_given(gap_round, panel):
    answering = make_application(gap_round, title="Answers a gap")
    answering.priorities.set([gap_priority(gap_round)])
    other = make_application(gap_round, title="Does not")
    other.priorities.set(
        [Priority.objects.create(round=gap_round, title="Healthy lives", position=0)]
    )
    score_all(panel[0], answering, [3, 4])  # (3 + 4 + 2x5) / 4 = 4.25
    score_all(panel[1], answering, [2, 2])  # (2 + 2 + 10) / 4 = 3.5
    score_all(panel[0], other, [5, 5])  # (5 + 5 + 0) / 4 = 2.5

    rows = scoring.ranking(gap_round)

    assert [(row.rank, row.application.project_title) for row in rows] == [
        (1, "Answers a gap"),
        (2, "Does not"),
    ]
    assert rows[0].spread.mean == Decimal("3.875")
    assert rows[0].spread.range == Decimal("0.75")
    assert rows[1].spread.mean == Decimal("2.5")
    assert str(rows[0].recorded_gap) == GAP_TEXT
    assert str(rows[1].recorded_gap) == "No"
    # Nobody's own scores were touched: no score row for the automatic criterion.
    assert sorted(Score.objects.filter(application=answering).values_list("score", flat=True)) == [
        2,
        2,
        3,
        4,
    ]

    Round.objects.filter(pk=gap_round.pk).update(recorded_gap_weight=Decimal("0"))
    gap_round.refresh_from_db()
    rows = scoring.ranking(gap_round)
    assert [(row.application.project_title, row.spread.mean) for row in rows] == [
        ("Does not", Decimal(5)),
        ("Answers a gap", Decimal("2.75")),
    ]


# The round's set-up form ----------------------------------------------------------------------


def round_data(**extra):
    return {
        "title": "Winter 2026",
        "opens_at": "2026-10-01 09:00",
        "closes_at": "2026-10-20 12:00",
        "budget": "20000",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("-1", "Enter a weight of 0 or more"),
        ("lots", "Enter the weight as a number, like 1 or 1.5"),
        ("1.255", "Enter the weight with no more than 2 decimal places"),
        ("1000", "Enter a weight of less than 1000"),
    ],
)
def test_the_round_form_refuses_a_bad_weight(typed, error):
    form = RoundForm(round_data(recorded_gap_weight=typed))
    assert not form.is_valid()
    assert form.errors["recorded_gap_weight"] == [error]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "weight"), [("", Decimal("0")), ("1.5", Decimal("1.5"))])
def test_the_round_form_takes_a_weight_or_nothing(typed, weight):
    form = RoundForm(round_data(recorded_gap_weight=typed))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["recorded_gap_weight"] == weight


@pytest.mark.django_db
def test_officers_set_the_weight_with_an_error_summary_for_bad_input(sign_in, make_user):
    round_ = make_round()
    client = sign_in(make_user(Role.FUND_OFFICER))
    url = reverse("fund:manage-round-edit", args=[round_.public_id])
    assert "Weight for answering a recorded gap" in client.get(url).content.decode()

    refused = client.post(url, round_data(recorded_gap_weight="-1"))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "govuk-error-summary" in page
    assert 'href="#id_recorded_gap_weight">Enter a weight of 0 or more' in page
    round_.refresh_from_db()
    assert round_.recorded_gap_weight == Decimal("0")

    saved = client.post(url, round_data(recorded_gap_weight="1.5"))
    assert saved.status_code == 302
    round_.refresh_from_db()
    assert round_.recorded_gap_weight == Decimal("1.5")
    page = client.get(saved["Location"]).content.decode()
    assert "Weight for answering a recorded gap" in page
    assert "1.5: an application whose priorities include a gap" in page


# The pages that say which gap ------------------------------------------------------------------


@pytest.mark.django_db
def test_panel_and_officer_pages_and_the_ranking_say_which_gap(
    gap_round, panel, sign_in, make_user
):
    application = make_application(gap_round, title="Answers a gap")
    application.priorities.set([gap_priority(gap_round)])
    score_all(panel[0], application, [3, 4])

    score_page = sign_in(panel[0]).get(reverse("fund:score", args=[application.public_id]))
    page = score_page.content.decode()
    assert "Answers a recorded gap" in page
    assert GAP_TEXT in page
    assert "Counted automatically as 5 out of 5, with weight 2" in page

    officer = sign_in(make_user(Role.FUND_OFFICER))
    decide_page = officer.get(reverse("fund:decide", args=[application.public_id]))
    page = decide_page.content.decode()
    assert 'id="recorded-gap-row"' in page
    assert "Answers a recorded gap (2), scored automatically" in page
    assert "Mean weighted score 4.25" in page

    moderation = officer.get(reverse("fund:moderation", args=[gap_round.public_id]))
    page = moderation.content.decode()
    assert "Answers a recorded gap (weight 2)" in page
    assert GAP_TEXT in page
    assert 'id="recorded-gap-rule"' in page

    summary = officer.get(reverse("fund:application", args=[application.public_id]))
    page = summary.content.decode()
    assert "Answers a recorded gap" in page
    assert GAP_TEXT in page


@pytest.mark.django_db
def test_a_round_without_the_weight_and_without_gaps_says_nothing_of_them(
    panel, sign_in, make_user
):
    round_ = make_round(weights=("1", "1"))
    application = make_application(round_)
    score_all(panel[0], application, [3, 4])
    page = sign_in(panel[0]).get(reverse("fund:score", args=[application.public_id]))
    assert "Answers a recorded gap" not in page.content.decode()
    officer = sign_in(make_user(Role.FUND_OFFICER))
    page = officer.get(reverse("fund:decide", args=[application.public_id])).content.decode()
    assert 'id="recorded-gap-row"' not in page
    assert "Mean weighted score 3.50" in page


@pytest.mark.django_db
def test_applicants_see_which_priorities_answer_a_recorded_gap(sign_in, make_user):
    applicant = make_user(Role.RESIDENT, full_name="Fictional Applicant")
    round_ = make_open_round()
    Round.objects.filter(pk=round_.pk).update(recorded_gap_weight=Decimal("1"))
    gap = gap_priority(round_)
    organisation = make_organisation(applicant)
    client = sign_in(applicant)
    application = Application.objects.create(round=round_, organisation=organisation)
    client.post(
        reverse("fund:eligibility-answers", args=[application.public_id]),
        {f"question_{pk}": "yes" if ok else "no" for pk, ok in eligible_answers(round_).items()},
    )
    page = client.get(reverse("fund:project", args=[application.public_id])).content.decode()
    assert "Answers a recorded gap: Befriending in Wigan 026A" in page
    assert "Answering one counts towards the panel’s score." in page
    # The hint belongs to the gap priority's checkbox only.
    position = list(round_.priorities.all()).index(gap)
    assert f'aria-describedby="id_priorities_{position}-item-hint"' in page
    assert page.count("govuk-checkboxes__hint") == 1
