import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from opendeal.deal.models import Deal
from opendeal.deal.tests.public_deal_data import add_measured_commitments, build_public_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_deal():
    return build_public_deal()


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_each_theme_with_both_parts(client, public_deal):
    html = _text(client.get(reverse("deal:home")))

    assert "<title>The Deal for Testborough – " in html
    assert '<h1 class="govuk-heading-xl">The Deal for Testborough</h1>' in html
    for theme in ("Health and wellbeing", "Communities", "Business"):
        assert f">{theme}</a></h2>" in html
    assert html.count('<h3 class="govuk-heading-m">Our part</h3>') == 3
    assert html.count('<h3 class="govuk-heading-m">Your part</h3>') == 3
    assert reverse("deal:commitment", args=[public_deal.active.public_id]) in html
    assert reverse("deal:theme", args=["communities"]) in html
    # Overall progress 34.17% rounds to 34%; 5 active pledges.
    assert '<p class="govuk-body">34%</p>' in html
    assert '<dd class="govuk-summary-list__value">5</dd>' in html
    assert '<strong class="govuk-tag govuk-tag--yellow">At risk</strong>' in html
    # Titles are escaped, never markup.
    assert "Volunteer &lt;locally&gt; &amp; often" in html
    assert "<locally>" not in html


def test_home_links_to_the_pledge_page(client, public_deal):
    html = _text(client.get(reverse("deal:home")))

    main = html.split('id="main-content"')[1]
    # Above the themes, and in each theme that asks something of residents.
    assert main.count('href="/deal/pledge/"') == 3


def test_pages_are_404_without_a_published_deal(client):
    Deal.objects.create(
        title="Draft",
        slug="draft",
        area_code="E08000010",
        summary="",
        starts_on=datetime.date(2024, 1, 1),
        is_published=False,
    )
    for name in ("deal:home", "deal:scorecard", "deal:scorecard-csv", "deal:scorecard-json"):
        assert client.get(reverse(name)).status_code == 404


def test_theme_page(client, public_deal):
    html = _text(client.get(reverse("deal:theme", args=["health"])))

    assert "<title>Health and wellbeing – The Deal for Testborough – " in html
    assert '<h2 class="govuk-heading-m">Our part</h2>' in html
    assert "Progress on health and wellbeing: <strong>44%</strong>" in html
    for reference in ("HW1", "HW2", "HW3", "HW4"):
        assert f">{reference}: " in html
    assert ">CO1: " not in html
    # HW4 has 3 active pledges (a pending and a withdrawn one do not count).
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in html


@pytest.mark.parametrize("slug", ["draft", "old", "nothing"])
def test_theme_not_in_the_published_deal_is_404(client, public_deal, slug):
    assert client.get(reverse("deal:theme", args=[slug])).status_code == 404


def test_commitment_page_with_a_metric(client, public_deal):
    html = _text(client.get(reverse("deal:commitment", args=[public_deal.active.public_id])))

    assert "<title>HW1: Help more adults be active – The Deal for Testborough – " in html
    assert '<strong class="govuk-tag govuk-tag--green">On track</strong>' in html
    assert '<p class="govuk-body">50%</p>' in html
    assert "65% on 31 March 2024" in html
    assert f'aria-labelledby="chart-{public_deal.activity_measure.public_id}-title' in html
    assert '<title id="chart-' in html
    assert "2 figures from 31 March 2023 to 31 March 2024, going from 62% to 65%." in html
    # The table beside the chart has the same figures.
    for label, value in [
        ("Baseline, 31 March 2020", "60%"),
        ("31 March 2023", "62%"),
        ("31 March 2024", "65%"),
        ("Target, 31 March 2030", "70%"),
    ]:
        assert (
            f'<th scope="row" class="govuk-table__header">{label}</th>\n'
            f'              <td class="govuk-table__cell govuk-table__cell--numeric">{value}</td>'
        ) in html
    assert 'Improving <span aria-hidden="true">↑</span>' in html


def test_commitment_timeline_is_dated_newest_first_and_names_no_email(client, public_deal):
    html = _text(client.get(reverse("deal:commitment", args=[public_deal.active.public_id])))

    newer = html.index('<time datetime="2024-03-31">31 March 2024</time>: New figure')
    older = html.index('<time datetime="2023-03-31">31 March 2023</time>: New figure')
    assert newer < older
    assert "By Council officer." in html
    assert "By Public health team." in html
    assert "officer@example.org" not in html


def test_commitment_page_with_milestones(client, public_deal):
    html = _text(client.get(reverse("deal:commitment", args=[public_deal.fund.public_id])))

    assert "1 of 4" in html
    assert "Done 20 May 2024" in html
    assert html.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 1
    assert html.count('<strong class="govuk-tag govuk-tag--grey">Not done yet</strong>') == 2
    assert "Due 1 January 2099" in html
    assert "No updates yet." in html


def test_your_part_commitment_page_shows_pledges(client, public_deal):
    html = _text(client.get(reverse("deal:commitment", args=[public_deal.walk.public_id])))

    assert '<dd class="govuk-summary-list__value">3</dd>' in html
    assert "Make a pledge</a>" in html
    assert "govuk-tag" not in html.split('id="main-content"')[1]


def test_commitment_of_an_unpublished_deal_is_404(client, public_deal):
    draft = Deal.objects.get(slug="draft-deal").themes.get().commitments.get()

    assert client.get(reverse("deal:commitment", args=[draft.public_id])).status_code == 404
    assert client.get("/deal/commitments/not-a-uuid/").status_code == 404


def test_scorecard_lists_every_our_part_commitment(client, public_deal):
    html = _text(client.get(reverse("deal:scorecard")))

    assert "<title>Scorecard – The Deal for Testborough – " in html
    assert "Showing 4 of 4 commitments." in html
    rows = html.split('<tbody class="govuk-table__body">')[-1]
    assert [ref for ref in ("HW1", "HW2", "HW3", "CO1", "HW4", "CO2") if f">{ref}: " in rows] == [
        "HW1",
        "HW2",
        "HW3",
        "CO1",
    ]
    assert "The whole Deal: <strong>34%</strong>" in html
    assert '<desc id="status-chart-desc">Not started: 1; On track: 1; At risk: 1; ' in html
    assert 'Worsening <span aria-hidden="true">↑</span>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">18.5%</td>' in html
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric">1 of 4 milestones done</td>\n'
        '                    <td class="govuk-table__cell govuk-table__cell--numeric">All 4 done</td>'
    ) in html
    assert '<strong class="govuk-tag govuk-tag--red">Off track</strong>' in rows
    assert 'href="/deal/scorecard.csv"' in html
    assert 'href="/deal/scorecard.json"' in html


def test_scorecard_filters_by_theme_and_status(client, public_deal):
    html = _text(client.get(reverse("deal:scorecard"), {"theme": "health", "status": "at_risk"}))

    assert "Showing 1 of 4 commitments." in html
    assert '<option value="health" selected>' in html
    assert 'href="/deal/scorecard.csv?theme=health&amp;status=at_risk"' in html
    assert "Clear filters" in html


def test_scorecard_with_an_unknown_filter_shows_the_error_and_everything(client, public_deal):
    html = _text(client.get(reverse("deal:scorecard"), {"status": "lost"}))

    assert "<title>Error: Scorecard" in html
    assert 'class="govuk-error-summary"' in html
    assert "Showing 4 of 4 commitments." in html


def test_scorecard_csv(client, public_deal):
    response = client.get(reverse("deal:scorecard-csv"), {"theme": "health"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="testborough-deal-scorecard.csv"'
    )
    assert response.content.decode() == (
        "theme,theme_progress,commitment_reference,commitment_title,status,commitment_progress,"
        "measure_reference,measure_title,measure_kind,unit,direction,baseline,baseline_date,target,"
        "target_date,latest_figure,latest_date,trend,measure_progress\n"
        "Health and wellbeing,43.75,HW1,Help more adults be active,on_track,50,HW1.1,"
        "Adults who are active,metric,%,increase,60,2020-03-31,70,2030-03-31,65,2024-03-31,"
        "improving,50\n"
        "Health and wellbeing,43.75,HW2,Open a community fund,at_risk,25,HW2.1,Fund milestones,"
        "milestones,milestones,,,,4,,1,2024-05-20,,25\n"
        "Health and wellbeing,43.75,HW3,Join up care at home,not_started,,,,,,,,,,,,,,\n"
    )


def test_scorecard_json(client, public_deal):
    response = client.get(reverse("deal:scorecard-json"), {"status": "off_track"})

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="testborough-deal-scorecard.json"'
    )
    assert json.loads(response.content) == {
        "deal": "The Deal for Testborough",
        "deal_progress": "34.17",
        "filters": {"theme": None, "status": "off_track"},
        "themes": [
            {"slug": "health", "title": "Health and wellbeing", "progress": "43.75"},
            {"slug": "communities", "title": "Communities", "progress": "15"},
            {"slug": "business", "title": "Business", "progress": None},
        ],
        "records": [
            {
                "theme": "Communities",
                "theme_progress": "15",
                "commitment_reference": "CO1",
                "commitment_title": "Fewer people smoke",
                "status": "off_track",
                "commitment_progress": "15",
                "measure_reference": "CO1.1",
                "measure_title": "Adults who smoke",
                "measure_kind": "metric",
                "unit": "%",
                "direction": "decrease",
                "baseline": "20",
                "baseline_date": None,
                "target": "10",
                "target_date": None,
                "latest_figure": "18.5",
                "latest_date": "2024-03-31",
                "trend": "worsening",
                "measure_progress": "15",
            }
        ],
    }


@pytest.mark.parametrize(
    "name", ["deal:home", "deal:scorecard", "deal:scorecard-csv", "deal:scorecard-json"]
)
def test_deal_pages_take_the_same_few_queries_however_many_commitments(
    client, public_deal, django_assert_max_num_queries, name
):
    add_measured_commitments(public_deal.health, 40)
    # Deal, themes, commitments, measures, readings, milestones, pledge counts.
    with django_assert_max_num_queries(7):
        assert client.get(reverse(name)).status_code == 200


def test_commitment_page_takes_a_few_queries(client, public_deal, django_assert_max_num_queries):
    url = reverse("deal:commitment", args=[public_deal.active.public_id])
    # Commitment (with theme and Deal), measures, readings, milestones, timeline.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200


def test_scorecard_csv_cannot_smuggle_a_spreadsheet_formula(client, public_deal):
    public_deal.smoking.title = '=HYPERLINK("http://example.com","Click")'
    public_deal.smoking.save()
    public_deal.smoking_measure.baseline_value = Decimal("-2.5")
    public_deal.smoking_measure.save()

    response = client.get(reverse("deal:scorecard-csv"), {"theme": "communities"})

    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["commitment_title"] == '\'=HYPERLINK("http://example.com","Click")'
    assert row["baseline"] == "-2.5"


@pytest.mark.parametrize("name", ["deal:home", "deal:scorecard", "deal:scorecard-csv"])
def test_head_requests_are_answered(client, public_deal, name):
    assert client.head(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405
