"""The observatory's pages and JSON API, on the real Fingertips files."""

import io

import pytest

from opendeal.observatory.importers.fingertips import import_fingertips
from opendeal.observatory.importers.neighbours import import_ons_neighbours
from opendeal.observatory.models import Release

from .conftest import HLE_2024, HLE_2025, shared

pytestmark = pytest.mark.django_db
HLE_AREA = "/observatory/fingertips-90362/E08000010/"


@pytest.fixture
def observatory():
    for relative, label in ((HLE_2024, "2024 release"), (HLE_2025, "2025 release")):
        import_fingertips(shared(relative), label=label, progress=io.StringIO())
    import_ons_neighbours(shared("observatory/neighbours"))


@pytest.fixture
def with_intervals(tmp_path):
    """Three real rows each for England and Wigan, with 95% intervals added by this test (the
    shared extract has none) to exercise the comparison by Fingertips' method. In 2011 the
    intervals overlap (England's 19.4 to 20.2, Wigan's 20.1 to 25.0) but England's value, 19.8,
    lies below Wigan's interval: worse by Fingertips' method, similar by overlapping intervals."""
    header = (
        "Indicator ID,Indicator Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,"
        "Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
        "Compared to England value or percentiles,Time period Sortable\n"
    )
    rows = [
        "E92000001,England,England,19.8,19.4,20.2,Not compared,2011",
        "E92000001,England,England,19.3,19.1,19.5,Not compared,2012",
        "E92000001,England,England,18.4,18.2,18.6,Not compared,2013",
        "E08000010,Wigan,UA,22.5,20.1,25.0,Similar,2011",
        "E08000010,Wigan,UA,22.7,20.5,24.9,Worse,2012",
        "E08000010,Wigan,UA,20.1,17.9,22.3,Similar,2013",
    ]
    lines = []
    for row in rows:
        code, name, kind, value, lower, upper, published, year = row.split(",")
        lines.append(
            f"92443,Smoking prevalence,{code},{name},{kind},Persons,18+ yrs,,,{year},{value},"
            f"{lower},{upper},{published},{year}0000\n"
        )
    path = tmp_path / "smoking-with-intervals.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    import_fingertips(path, progress=io.StringIO())


def test_the_index_lists_indicators(client, observatory):
    page = client.get("/observatory/")
    assert page.status_code == 200
    assert b"Healthy life expectancy at birth" in page.content
    assert b'href="/observatory/fingertips-90362/E08000010/"' in page.content


def test_the_indicator_page_lists_releases_and_areas(client, observatory):
    page = client.get("/observatory/fingertips-90362/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("2025 release") < text.index("2024 release")
    assert '<option value="E08000010" selected>' in text
    assert client.get("/observatory/fingertips-90362/?area=e08000010").url == HLE_AREA


def test_the_area_page_shows_the_latest_release_against_england_and_neighbours(client, observatory):
    page = client.get(HLE_AREA, {"sex": "Male"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "57.9 years in 2021 - 23" in text  # Wigan's latest, 2025 release
    assert "61.5 years in 2021 - 23" in text  # England's
    assert '<svg class="opendeal-chart"' in text and "opendeal-chart__line--england" in text
    assert "Rotherham" in text and "ONS similar areas" in text
    assert "2010 - 12" not in text  # only in the 2024 release: never spliced in
    assert "Difference:" in text and "a year (95% interval" in text


def test_the_area_page_reads_an_older_release_when_asked(client, observatory):
    older = Release.objects.get(label="2024 release")
    page = client.get(HLE_AREA, {"sex": "Male", "release": str(older.public_id)})
    text = page.content.decode()
    assert "2010 - 12" in text and "59.5" in text and "2021 - 23" not in text


def test_the_area_page_computes_the_comparison_where_there_are_intervals(client, with_intervals):
    text = client.get("/observatory/fingertips-92443/E08000010/").content.decode()
    # 2013: England's 18.4 lies within Wigan's 17.9 to 22.3: similar.
    assert "Compared with England, by Fingertips' method" in text
    assert '<strong class="govuk-tag govuk-tag--yellow">Similar</strong>' in text
    assert "95% confidence interval 17.9% to 22.3%" in text
    assert "From Wigan's 95% confidence interval: similar when England's value lies within" in text
    # 2011: the intervals overlap, but England's value lies outside Wigan's: worse (smoking,
    # lower is better), as the table of periods shows.
    table = text[text.index("<tbody") :]
    first_row = table[: table.index("</tr>")]
    assert ">2011<" in first_row and 'govuk-tag--red">Worse<' in first_row


def test_unknown_areas_indicators_and_releases_are_not_found(client, observatory):
    assert client.get("/observatory/fingertips-90362/E99999999/").status_code == 404
    assert client.get("/observatory/fingertips-1/E08000010/").status_code == 404
    assert client.get(HLE_AREA, {"release": "not-a-uuid"}).status_code == 404


def test_api_lists_indicators_areas_and_releases(client, observatory):
    indicators = client.get("/api/observatory/indicators").json()
    assert [i["slug"] for i in indicators] == ["fingertips-90362"]
    regions = client.get("/api/observatory/areas", {"type": "metropolitan"}).json()
    assert {
        "code": "E08000010",
        "name": "Wigan",
        "area_type": "metropolitan",
        "region": None,
    } in regions
    releases = client.get("/api/observatory/releases", {"indicator": "fingertips-90362"}).json()
    assert [(r["label"], r["is_latest"]) for r in releases] == [
        ("2025 release", True),
        ("2024 release", False),
    ]


def test_api_series_from_the_latest_release(client, observatory):
    body = client.get(
        "/api/observatory/series",
        {"indicator": "fingertips-90362", "area": "E08000010", "sex": "Male"},
    ).json()
    assert body["release"]["label"] == "2025 release" and body["release"]["is_latest"]
    first = body["figures"][0]
    assert (first["period"], first["value"], first["england_value"]) == ("2011 - 13", "60.1", "63")
    assert first["compared_with_england_published"] == "Worse"
    assert first["compared_with_england_computed"] is None  # no intervals in this release
    assert len(body["figures"]) == 11


def test_api_series_from_a_named_release(client, observatory):
    older = Release.objects.get(label="2024 release")
    body = client.get(
        "/api/observatory/series",
        {
            "indicator": "fingertips-90362",
            "area": "E08000010",
            "sex": "Male",
            "release": str(older.public_id),
        },
    ).json()
    assert [f["period"] for f in body["figures"]][:2] == ["2010 - 12", "2011 - 13"]
    assert body["figures"][1]["value"] == "60.9"


def test_api_series_with_intervals_gives_the_computed_comparison(client, with_intervals):
    body = client.get(
        "/api/observatory/series", {"indicator": "fingertips-92443", "area": "E08000010"}
    ).json()
    # 2011: the intervals overlap, but England's value lies below Wigan's interval.
    assert [(f["period"], f["compared_with_england_computed"]) for f in body["figures"]] == [
        ("2011", "worse"),
        ("2012", "worse"),
        ("2013", "similar"),
    ]
    assert body["figures"][0]["lower_ci_95"] == "20.1"


@pytest.mark.parametrize(
    ("query", "status", "title"),
    [
        ({"indicator": "nope", "area": "E08000010"}, 404, "Not found"),
        ({"indicator": "fingertips-90362", "area": "E99999999"}, 404, "Not found"),
        (
            {"indicator": "fingertips-90362", "area": "E08000010", "release": "abc"},
            422,
            "Invalid request",
        ),
        ({"indicator": "fingertips-90362"}, 422, "Invalid request"),
        ({"indicator": "fingertips-90362", "area": "E08000010", "sex": "Persons"}, 422, None),
    ],
)
def test_api_series_refuses_bad_input_with_a_problem(client, observatory, query, status, title):
    response = client.get("/api/observatory/series", query)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    if title:
        assert response.json()["title"] == title


def test_api_unknown_release_is_not_found(client, observatory):
    response = client.get(
        "/api/observatory/series",
        {
            "indicator": "fingertips-90362",
            "area": "E08000010",
            "release": "7e2b4b1e-0000-4000-8000-000000000000",
        },
    )
    assert response.status_code == 404


def test_a_total_is_not_compared_with_englands(client):
    from opendeal.observatory.importers.population import import_population

    estimates = [
        shared(f"observatory/population/{name}")
        for name in (
            "ons_mye_mid2019_lad19_single_year_of_age.rda",
            "ons_mye_mid2020_lad21_single_year_of_age.rda",
        )
    ]
    import_population(
        [shared("observatory/population/census2021_ts007_age_by_single_year_lad.csv")],
        progress=io.StringIO(),
    )
    import_population(estimates, progress=io.StringIO())
    text = client.get("/observatory/population-census-all-ages/E08000010/").content.decode()
    assert "329,329 people in 2021" in text
    assert "This is a total for the area" in text
    assert "opendeal-chart__line--england" not in text and "Trend against England" not in text
    text = client.get("/observatory/population-mye-all-ages/E08000010/").content.decode()
    assert "+2,050 people (+0.6%): from 328,662 people in 2019 to 330,712 people in 2020" in text
