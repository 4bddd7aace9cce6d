"""A NUL character in a request to the JSON APIs is refused with their own kind of error: an
RFC 7807 problem document, as they answer every other bad request. Other pages keep their
plain 400."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/oruk/services?search=%00",
        "/oruk/?x=%00",
        "/oruk?x=%00",
        "/oruk/organizations?search=a%00b",
        "/api/observatory/series?indicator=%00",
        "/api/observatory/series?%00=1",
    ],
)
def test_a_nul_in_a_json_apis_query_is_a_problem_document(client, path):
    response = client.get(path)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Bad request", 400)
    assert "NUL character" in body["detail"]


def test_the_open_referral_apis_problem_is_readable_from_any_origin(client):
    response = client.get("/oruk/services?search=%00")

    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/directory/?q=food%00", "/apiary/?q=%00", "/oruks/?q=%00"])
def test_other_pages_keep_the_plain_400(client, path):
    response = client.get(path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"NUL character" in response.content
