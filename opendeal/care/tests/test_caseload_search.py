"""Searching the caseload by name, postcode or NHS number: the words are posted, never put in
an address (so not in browser history, access logs or Referer headers) nor logged, and the
results can still be paged through."""

import logging

import pytest
from django.urls import reverse

from opendeal.care import searches, services
from opendeal.care.views.people import CASELOAD_PAGE_SIZE
from opendeal.core.models import AuditEvent


def _search(client, terms: str):
    return client.post(reverse("care:caseload"), {"q": terms})


def test_a_search_is_posted_and_its_address_holds_only_a_token(world, sign_in):
    client = sign_in(world.practitioner)
    response = _search(client, "943 476 5919")
    assert response.status_code == 302
    location = response["Location"]
    assert "943" not in location and "q=" not in location
    assert location.startswith(reverse("care:caseload") + "?search=")
    page = client.get(location)
    html = page.content.decode()
    assert "Margaret Testperson" in html
    assert "1 found" in html
    # The form posts, with a CSRF token; the words are only in the page itself.
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert 'value="943 476 5919"' in html


def test_a_search_in_the_address_is_not_run(world, sign_in):
    client = sign_in(world.practitioner)
    html = client.get(reverse("care:caseload"), {"q": "Nobody"}).content.decode()
    # Old bookmarks with ?q= just show the caseload: nothing is searched from an address.
    assert "Margaret Testperson" in html
    assert AuditEvent.objects.get(action="care.caseload.viewed").details == {
        "searched": False,
        "count": 1,
    }


def test_the_csrf_token_is_required(world, sign_in):
    client = sign_in(world.practitioner)
    client.handler.enforce_csrf_checks = True
    assert client.post(reverse("care:caseload"), {"q": "Margaret"}).status_code == 403


def test_the_words_are_neither_audited_nor_logged(world, sign_in, caplog):
    client = sign_in(world.practitioner)
    with caplog.at_level(logging.DEBUG):
        client.get(_search(client, "Testperson")["Location"])
    event = AuditEvent.objects.get(action="care.caseload.viewed")
    assert event.details == {"searched": True, "count": 1}
    assert "Testperson" not in caplog.text
    assert not any("Testperson" in str(item.details) for item in AuditEvent.objects.all())


def test_a_token_is_only_good_in_its_own_session(world, sign_in):
    location = _search(sign_in(world.practitioner), "Testperson")["Location"]
    other = sign_in(world.practitioner)  # another session of the same person
    html = other.get(location).content.decode()
    assert "That search has ended" in html
    assert 'value="Testperson"' not in html


def test_an_empty_search_shows_the_caseload(world, sign_in):
    response = _search(sign_in(world.practitioner), "  ")
    assert response["Location"] == reverse("care:caseload")


def test_search_results_are_paged_and_the_pages_keep_the_search(world, sign_in):
    for number in range(CASELOAD_PAGE_SIZE + 3):
        services.create_person(
            world.practitioner, world.north, given_name="Pager", family_name=f"Person {number:03d}"
        )
    client = sign_in(world.practitioner)
    location = _search(client, "Pager")["Location"]
    token = location.split("search=")[1]
    first = client.get(location).content.decode()
    assert f"{CASELOAD_PAGE_SIZE + 3} found" in first
    assert first.count("Pager Person") == CASELOAD_PAGE_SIZE
    assert f'href="?search={token}&amp;page=2" rel="next"' in first
    second = client.get(reverse("care:caseload"), {"search": token, "page": "2"}).content.decode()
    assert second.count("Pager Person") == 3
    assert "Margaret Testperson" not in second
    assert 'value="Pager"' in second


def test_a_session_keeps_only_its_latest_searches():
    session: dict = {}
    tokens = [searches.remember(session, f"term {n}") for n in range(searches.KEPT + 2)]
    assert searches.recall(session, tokens[0]) is None
    assert searches.recall(session, tokens[-1]) == f"term {searches.KEPT + 1}"
    assert len(session[searches.SESSION_KEY]) == searches.KEPT
    assert searches.recall(session, "") is None


@pytest.mark.parametrize("terms", ["x" * 300])
def test_long_terms_are_cut_to_100_characters(terms):
    session: dict = {}
    assert searches.recall(session, searches.remember(session, terms)) == "x" * 100
