"""A fund's pre-application workshops and network meetings belong to its round."""

import pytest
from django.urls import reverse

from opendeal.core.roles import Role
from opendeal.events import editing
from opendeal.events.forms import EventForm
from opendeal.events.tests.test_editing import event_fields
from opendeal.fund.tests.apply_factories import make_open_round

pytestmark = pytest.mark.django_db


def test_an_event_can_belong_to_a_funding_round_and_links_to_it(make_user, client):
    officer = make_user(Role.FUND_OFFICER)
    round_ = make_open_round()
    event = editing.create_event(
        officer, **event_fields(title="Pre-application workshop", fund_round=round_)
    )

    assert list(round_.events.all()) == [event]
    page = client.get(reverse("events:detail", args=[event.public_id])).content.decode()
    round_url = reverse("fund:round", args=[round_.fund.slug, round_.slug])
    assert f'href="{round_url}"' in page
    assert "For the funding round" in page


def test_an_unpublished_round_is_not_linked_from_the_public_page(make_user, client):
    round_ = make_open_round()
    round_.published = False
    round_.save()
    event = editing.create_event(
        make_user(Role.FUND_OFFICER), **event_fields(title="Network meeting", fund_round=round_)
    )

    assert (
        "For the funding round"
        not in client.get(reverse("events:detail", args=[event.public_id])).content.decode()
    )


def test_officers_choose_the_round_on_the_event_form():
    round_ = make_open_round()
    field = EventForm().fields["fund_round"]
    assert not field.required
    assert field.label_from_instance(round_) == f"{round_.fund.name}: {round_.title}"
    assert list(field.queryset) == [round_]
