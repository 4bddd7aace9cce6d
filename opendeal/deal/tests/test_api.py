import datetime
import uuid

import pytest

from opendeal.deal.models import Deal
from opendeal.deal.tests.public_deal_data import add_measured_commitments, build_public_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_deal():
    return build_public_deal()


def _id(obj) -> str:
    return str(obj.public_id)


def _your_part(commitment, pledges: int) -> dict:
    return {
        "public_id": _id(commitment),
        "reference": commitment.reference,
        "title": commitment.title,
        "description": "",
        "part": "yours",
        "weight": "1",
        "status": None,
        "progress": None,
        "pledge_count": pledges,
        "measures": [],
    }


def test_the_deal(client, public_deal):
    d = public_deal
    response = client.get("/api/deal")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "public_id": _id(d.deal),
        "title": "The Deal for Testborough",
        "slug": "testborough-deal",
        "summary": "The Deal for Testborough summary.",
        "area_code": "E08000010",
        "starts_on": "2024-04-01",
        "progress": "34.17",
        "themes": [
            {
                "public_id": _id(d.health),
                "slug": "health",
                "title": "Health and wellbeing",
                "summary": "Living well for longer.",
                "weight": "2",
                "progress": "43.75",
                "our_part": [
                    {
                        "public_id": _id(d.active),
                        "reference": "HW1",
                        "title": "Help more adults be active",
                        "description": "Parks, pools and walks.",
                        "part": "ours",
                        "weight": "3",
                        "status": "on_track",
                        "progress": "50",
                        "pledge_count": None,
                        "measures": [
                            {
                                "public_id": _id(d.activity_measure),
                                "reference": "HW1.1",
                                "title": "Adults who are active",
                                "kind": "metric",
                                "unit": "%",
                                "direction": "increase",
                                "baseline_value": "60",
                                "baseline_on": "2020-03-31",
                                "target_value": "70",
                                "target_on": "2030-03-31",
                                "source": "Active Lives survey",
                                "progress": "50",
                                "trend": "improving",
                                "latest": {"observed_on": "2024-03-31", "value": "65"},
                                "milestones_completed": 0,
                                "milestones_total": 0,
                            }
                        ],
                    },
                    {
                        "public_id": _id(d.fund),
                        "reference": "HW2",
                        "title": "Open a community fund",
                        "description": "",
                        "part": "ours",
                        "weight": "1",
                        "status": "at_risk",
                        "progress": "25",
                        "pledge_count": None,
                        "measures": [
                            {
                                "public_id": _id(d.fund_measure),
                                "reference": "HW2.1",
                                "title": "Fund milestones",
                                "kind": "milestones",
                                "unit": "",
                                "direction": None,
                                "baseline_value": None,
                                "baseline_on": None,
                                "target_value": None,
                                "target_on": None,
                                "source": "",
                                "progress": "25",
                                "trend": None,
                                "latest": None,
                                "milestones_completed": 1,
                                "milestones_total": 4,
                            }
                        ],
                    },
                    {
                        "public_id": _id(d.unmeasured),
                        "reference": "HW3",
                        "title": "Join up care at home",
                        "description": "",
                        "part": "ours",
                        "weight": "5",
                        "status": "not_started",
                        "progress": None,
                        "pledge_count": None,
                        "measures": [],
                    },
                ],
                "your_part": [_your_part(d.walk, 3)],
            },
            {
                "public_id": _id(d.communities),
                "slug": "communities",
                "title": "Communities",
                "summary": "",
                "weight": "1",
                "progress": "15",
                "our_part": [
                    {
                        "public_id": _id(d.smoking),
                        "reference": "CO1",
                        "title": "Fewer people smoke",
                        "description": "",
                        "part": "ours",
                        "weight": "1",
                        "status": "off_track",
                        "progress": "15",
                        "pledge_count": None,
                        "measures": [
                            {
                                "public_id": _id(d.smoking_measure),
                                "reference": "CO1.1",
                                "title": "Adults who smoke",
                                "kind": "metric",
                                "unit": "%",
                                "direction": "decrease",
                                "baseline_value": "20",
                                "baseline_on": None,
                                "target_value": "10",
                                "target_on": None,
                                "source": "",
                                "progress": "15",
                                "trend": "worsening",
                                "latest": {"observed_on": "2024-03-31", "value": "18.5"},
                                "milestones_completed": 0,
                                "milestones_total": 0,
                            }
                        ],
                    }
                ],
                "your_part": [_your_part(d.volunteer, 2)],
            },
            {
                "public_id": _id(d.business),
                "slug": "business",
                "title": "Business",
                "summary": "",
                "weight": "4",
                "progress": None,
                "our_part": [],
                "your_part": [],
            },
        ],
    }


def test_one_commitment_with_readings_and_timeline(client, public_deal):
    d = public_deal
    response = client.get(f"/api/deal/commitments/{d.active.public_id}")

    assert response.status_code == 200
    assert response.json() == {
        "public_id": _id(d.active),
        "reference": "HW1",
        "title": "Help more adults be active",
        "description": "Parks, pools and walks.",
        "part": "ours",
        "weight": "3",
        "status": "on_track",
        "progress": "50",
        "pledge_count": None,
        "deal_title": "The Deal for Testborough",
        "theme": {"slug": "health", "title": "Health and wellbeing"},
        "measures": [
            {
                "public_id": _id(d.activity_measure),
                "reference": "HW1.1",
                "title": "Adults who are active",
                "kind": "metric",
                "unit": "%",
                "direction": "increase",
                "baseline_value": "60",
                "baseline_on": "2020-03-31",
                "target_value": "70",
                "target_on": "2030-03-31",
                "source": "Active Lives survey",
                "progress": "50",
                "trend": "improving",
                "latest": {"observed_on": "2024-03-31", "value": "65"},
                "milestones_completed": 0,
                "milestones_total": 0,
                "readings": [
                    {"observed_on": "2023-03-31", "value": "62"},
                    {"observed_on": "2024-03-31", "value": "65"},
                ],
                "milestones": [],
            }
        ],
        "timeline": [
            {
                "occurred_on": "2024-03-31",
                "recorded_at": "2024-04-02T09:00:00Z",
                "kind": "reading",
                "summary": "Adults who are active was 65% on 31 March 2024.",
                "status": "on_track",
                "progress": "50",
                # Typed as an email address: never published as one.
                "recorded_by_name": "Council officer",
                "measure_reference": "HW1.1",
            },
            {
                "occurred_on": "2023-03-31",
                "recorded_at": "2024-04-02T09:00:00Z",
                "kind": "reading",
                "summary": "Adults who are active was 62% on 31 March 2023.",
                "status": "on_track",
                "progress": "20",
                "recorded_by_name": "Public health team",
                "measure_reference": "HW1.1",
            },
        ],
    }


def test_milestones_of_a_commitment(client, public_deal):
    response = client.get(f"/api/deal/commitments/{public_deal.fund.public_id}")

    assert response.status_code == 200
    assert response.json()["measures"][0]["milestones"] == [
        {
            "title": "Fund opens",
            "due_on": "2024-06-01",
            "completed_on": "2024-05-20",
            "is_complete": True,
            "is_overdue": False,
        },
        {
            "title": "First awards",
            "due_on": "2024-09-01",
            "completed_on": None,
            "is_complete": False,
            "is_overdue": True,
        },
        {
            "title": "Second round",
            "due_on": "2099-01-01",
            "completed_on": None,
            "is_complete": False,
            "is_overdue": False,
        },
        {
            "title": "Evaluation",
            "due_on": None,
            "completed_on": None,
            "is_complete": False,
            "is_overdue": False,
        },
    ]
    assert response.json()["timeline"] == []


def test_pledge_totals(client, public_deal):
    response = client.get("/api/deal/pledges/totals")

    assert response.status_code == 200
    assert response.json() == {
        "total_pledges": 5,
        "total_people": 4,
        "by_commitment": [
            {
                "public_id": _id(public_deal.walk),
                "reference": "HW4",
                "title": "Walk for twenty minutes a day",
                "pledges": 3,
            },
            {
                "public_id": _id(public_deal.volunteer),
                "reference": "CO2",
                "title": "Volunteer <locally> & often",
                "pledges": 2,
            },
        ],
        "by_district": [
            {"district": "WN1", "pledges": 3},
            {"district": "Not given", "pledges": 1},
            {"district": "WN2", "pledges": 1},
        ],
    }
    assert "@" not in response.content.decode()


def test_unknown_commitment_is_a_404_problem(client, public_deal):
    response = client.get(f"/api/deal/commitments/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "There is no commitment with that id in a published Deal.",
    }


def test_commitment_of_an_unpublished_deal_is_a_404_problem(client, public_deal):
    draft = Deal.objects.get(slug="draft-deal").themes.get().commitments.get()

    assert client.get(f"/api/deal/commitments/{draft.public_id}").status_code == 404


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1234", "f" * 40])
def test_malformed_commitment_id_is_a_422_problem(client, public_deal, bad_id):
    response = client.get(f"/api/deal/commitments/{bad_id}")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["title"], body["status"]) == ("Invalid request", 422)
    assert [error["loc"] for error in body["errors"]] == [["path", "public_id"]]


def test_no_published_deal_is_a_404_problem(client):
    Deal.objects.create(
        title="Draft",
        slug="draft",
        area_code="E08000010",
        summary="",
        starts_on=datetime.date(2024, 1, 1),
        is_published=False,
    )
    for url in ("/api/deal", "/api/deal/pledges/totals"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {
            "type": "about:blank",
            "title": "Not found",
            "status": 404,
            "detail": "No Deal has been published yet.",
        }


def test_the_deal_takes_the_same_few_queries_however_many_commitments(
    client, public_deal, django_assert_max_num_queries
):
    add_measured_commitments(public_deal.health, 40)
    # Deal, themes, commitments, measures, readings, milestones, pledge counts.
    with django_assert_max_num_queries(7):
        response = client.get("/api/deal")
    assert len(response.json()["themes"][0]["our_part"]) == 43


def test_one_commitment_takes_a_few_queries(client, public_deal, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert (
            client.get(f"/api/deal/commitments/{public_deal.active.public_id}").status_code == 200
        )
