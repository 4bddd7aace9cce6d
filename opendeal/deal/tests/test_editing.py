"""Editing the Deal's structure: who may, what is refused and why, and what is recorded."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opendeal.core.models import AuditEvent
from opendeal.deal import editing, services
from opendeal.deal.models import (
    Commitment,
    Deal,
    Direction,
    Measure,
    MeasureKind,
    Milestone,
    Part,
    Pledge,
    PledgeStatus,
    ProgressUpdate,
    Reading,
    Theme,
)


@dataclass
class SampleDeal:
    deal: Deal
    theme: Theme
    ours: Commitment
    metric: Measure
    milestones_measure: Measure
    milestones: list[Milestone]
    yours: Commitment


def build_sample_deal() -> SampleDeal:
    """A Deal with one theme, an "our part" commitment measured by a metric and by milestones,
    and a "your part" commitment."""
    deal = Deal.objects.create(
        title="The Deal for Testborough",
        slug="testborough",
        area_code="E08000010",
        summary="A Deal to test with.",
        starts_on=datetime.date(2024, 4, 1),
        is_published=True,
    )
    theme = Theme.objects.create(deal=deal, title="Health and wellbeing", slug="health")
    ours = Commitment.objects.create(
        theme=theme, part=Part.OURS, reference="HW1", title="Make it easier to be active"
    )
    metric = Measure.objects.create(
        commitment=ours,
        reference="HW1.1",
        title="Adults who are physically active",
        kind=MeasureKind.METRIC,
        unit="%",
        direction=Direction.INCREASE,
        baseline_value=Decimal("60"),
        baseline_on=datetime.date(2024, 3, 31),
        target_value=Decimal("70"),
        target_on=datetime.date(2030, 3, 31),
        position=0,
    )
    milestones_measure = Measure.objects.create(
        commitment=ours,
        reference="HW1.2",
        title="New outdoor gyms",
        kind=MeasureKind.MILESTONES,
        position=1,
    )
    milestones = [
        Milestone.objects.create(measure=milestones_measure, title=title, position=position)
        for position, title in enumerate(["Sites agreed", "First gym open", "All gyms open"])
    ]
    yours = Commitment.objects.create(
        theme=theme,
        part=Part.YOURS,
        reference="HW2",
        title="Be active for 30 minutes a day",
        position=1,
    )
    return SampleDeal(deal, theme, ours, metric, milestones_measure, milestones, yours)


@pytest.fixture
def sample(db) -> SampleDeal:
    return build_sample_deal()


DEAL_VALUES = {
    "title": "The Deal 2030",
    "slug": "deal-2030",
    "area_code": "E08000010",
    "summary": "Our next Deal.",
    "starts_on": datetime.date(2026, 4, 1),
    "is_published": False,
}


def test_administrator_creates_a_deal_with_an_audit_record(administrator):
    deal = editing.create_deal(administrator, **DEAL_VALUES)

    saved = Deal.objects.get(slug="deal-2030")
    assert saved.pk == deal.pk
    assert (saved.title, saved.starts_on, saved.is_published) == (
        "The Deal 2030",
        datetime.date(2026, 4, 1),
        False,
    )
    event = AuditEvent.objects.get(action="deal.deal.created")
    assert (event.actor, event.object_id) == (administrator, str(deal.public_id))


@pytest.mark.parametrize("who", ["resident", "practitioner"])
def test_creating_a_deal_without_permission_changes_nothing(request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="Your role does not include editing the Deal"):
        editing.create_deal(actor, **DEAL_VALUES)
    assert Deal.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_editing_a_commitment_without_permission_changes_nothing(sample, practitioner):
    with pytest.raises(PermissionDenied):
        editing.update_commitment(practitioner, sample.ours, title="Something else")
    sample.ours.refresh_from_db()
    assert sample.ours.title == "Make it easier to be active"
    assert not AuditEvent.objects.exists()


def test_analyst_who_records_progress_cannot_edit(sample, make_user):
    from opendeal.core.roles import Role

    analyst = make_user(Role.ANALYST)
    with pytest.raises(PermissionDenied):
        editing.create_theme(analyst, sample.deal, title="Business", slug="business")
    assert Theme.objects.count() == 1


def test_updating_a_deal_records_which_fields_changed(sample, administrator):
    editing.update_deal(
        administrator,
        sample.deal,
        title="The Testborough Deal",
        slug="testborough",
        area_code="E08000010",
        summary="A Deal to test with.",
        starts_on=datetime.date(2024, 4, 1),
        is_published=True,
    )
    sample.deal.refresh_from_db()
    assert sample.deal.title == "The Testborough Deal"
    event = AuditEvent.objects.get(action="deal.deal.updated")
    assert event.details == {"fields": ["title"]}


def test_deal_short_name_must_be_unique_and_area_code_a_gss_code(sample, administrator):
    values = {**DEAL_VALUES, "slug": "testborough", "area_code": "Wigan"}
    with pytest.raises(ValidationError) as refused:
        editing.create_deal(administrator, **values)
    assert refused.value.message_dict == {
        "slug": ["Another Deal already uses the short name “testborough”. Choose another."],
        "area_code": ["Enter a GSS area code: a capital letter and 8 digits, like E08000010."],
    }
    assert Deal.objects.count() == 1


def test_theme_goes_at_the_end_unless_placed(sample, administrator):
    second = editing.create_theme(
        administrator, sample.deal, title="Communities", slug="communities"
    )
    placed = editing.create_theme(
        administrator, sample.deal, title="Business", slug="business", position=7
    )
    assert (second.position, placed.position) == (1, 7)
    with pytest.raises(ValidationError) as refused:
        editing.create_theme(administrator, sample.deal, title="Health again", slug="health")
    assert refused.value.message_dict == {
        "slug": ["Another theme of this Deal already uses the short name “health”."]
    }
    assert sample.deal.themes.count() == 3


def test_commitment_reference_is_unique_within_the_deal(sample, administrator):
    other_theme = editing.create_theme(
        administrator, sample.deal, title="Communities", slug="communities"
    )
    with pytest.raises(ValidationError) as refused:
        editing.create_commitment(
            administrator, other_theme, part=Part.OURS, reference="hw1", title="A clash"
        )
    assert refused.value.message_dict == {
        "reference": [
            "The reference hw1 is already used in this Deal by “Make it easier to be active”."
            " Each commitment needs its own reference."
        ]
    }
    assert Commitment.objects.count() == 2


def test_same_commitment_reference_is_fine_in_another_deal_and_when_unchanged(
    sample, administrator
):
    other = editing.create_deal(administrator, **DEAL_VALUES)
    other_theme = editing.create_theme(administrator, other, title="Health", slug="health")
    copy = editing.create_commitment(
        administrator, other_theme, part=Part.OURS, reference="HW1", title="Same code"
    )
    assert copy.theme.deal == other
    updated = editing.update_commitment(administrator, sample.ours, reference="HW1", title="New")
    assert (updated.reference, updated.title) == ("HW1", "New")
    assert Commitment.objects.filter(reference="HW1").count() == 2


def test_commitment_cannot_move_to_another_deals_theme(sample, administrator):
    other = editing.create_deal(administrator, **DEAL_VALUES)
    foreign_theme = editing.create_theme(administrator, other, title="Health", slug="health")
    with pytest.raises(ValidationError) as refused:
        editing.update_commitment(administrator, sample.yours, theme=foreign_theme)
    assert refused.value.message_dict == {"theme": ["Choose a theme of the same Deal."]}
    sample.yours.refresh_from_db()
    assert sample.yours.theme == sample.theme


def test_a_refused_edit_leaves_the_callers_object_unchanged(sample, administrator):
    with pytest.raises(ValidationError):
        editing.update_commitment(administrator, sample.yours, reference="HW1", title="Changed")
    assert (sample.yours.reference, sample.yours.title) == ("HW2", "Be active for 30 minutes a day")


def test_part_cannot_change_once_measured_or_pledged(sample, administrator):
    Pledge.objects.create(
        commitment=sample.yours, email="someone@example.org", status=PledgeStatus.ACTIVE
    )
    with pytest.raises(ValidationError) as measured:
        editing.update_commitment(administrator, sample.ours, part=Part.YOURS)
    with pytest.raises(ValidationError) as pledged:
        editing.update_commitment(administrator, sample.yours, part=Part.OURS)
    assert measured.value.message_dict == {
        "part": ["This commitment has measures of progress, so it must stay in our part."]
    }
    assert pledged.value.message_dict == {
        "part": ["Residents have pledged to this commitment, so it must stay in your part."]
    }
    assert list(Commitment.objects.order_by("reference").values_list("part", flat=True)) == [
        Part.OURS,
        Part.YOURS,
    ]


def test_deleting_a_commitment_with_pledges_is_refused_with_a_reason(sample, administrator):
    Pledge.objects.create(
        commitment=sample.yours, email="a@example.org", status=PledgeStatus.WITHDRAWN
    )
    Pledge.objects.create(
        commitment=sample.yours, email="b@example.org", status=PledgeStatus.ACTIVE
    )
    with pytest.raises(ValidationError) as refused:
        editing.delete_commitment(administrator, sample.yours)
    assert refused.value.messages == [
        "Residents have made 2 pledges to this commitment (counting withdrawn ones), so it "
        "cannot be deleted. Change its wording instead."
    ]
    assert Commitment.objects.filter(pk=sample.yours.pk).exists()
    assert Pledge.objects.count() == 2
    assert not AuditEvent.objects.filter(action="deal.commitment.deleted").exists()


def test_deleting_a_commitment_without_pledges_deletes_its_measures(sample, administrator):
    services.record_reading(administrator, sample.metric, datetime.date(2025, 3, 31), Decimal("62"))
    editing.delete_commitment(administrator, sample.ours)
    assert list(Commitment.objects.values_list("reference", flat=True)) == ["HW2"]
    assert (Measure.objects.count(), Reading.objects.count(), ProgressUpdate.objects.count()) == (
        0,
        0,
        0,
    )
    event = AuditEvent.objects.get(action="deal.commitment.deleted")
    assert event.details == {"reference": "HW1"}
    assert event.object_id == str(sample.ours.public_id)


def test_deleting_without_permission_is_refused(sample, practitioner):
    with pytest.raises(PermissionDenied):
        editing.delete_commitment(practitioner, sample.yours)
    assert Commitment.objects.count() == 2


METRIC_VALUES = {
    "reference": "HW1.3",
    "title": "Children who swim 25 metres",
    "kind": MeasureKind.METRIC,
    "unit": "%",
    "direction": Direction.INCREASE,
    "baseline_value": Decimal("70"),
    "baseline_on": datetime.date(2024, 7, 31),
    "target_value": Decimal("90"),
    "target_on": datetime.date(2028, 7, 31),
    "source": "School swimming returns",
}


def test_creating_a_measure_refreshes_the_commitments_progress(sample, administrator):
    services.complete_milestone(administrator, sample.milestones[0], datetime.date(2025, 1, 10))
    sample.ours.refresh_from_db()
    assert sample.ours.progress == Decimal("33.33")  # only the milestones are measured so far

    measure = editing.create_measure(administrator, sample.ours, **METRIC_VALUES)
    services.record_reading(administrator, measure, datetime.date(2025, 7, 31), Decimal("80"))
    sample.ours.refresh_from_db()
    # Mean of 33.33 (1 of 3 milestones) and 50 (70 → 80 of 70 → 90).
    assert sample.ours.progress == Decimal("41.67")
    assert measure.position == 2
    assert AuditEvent.objects.filter(action="deal.measure.created").count() == 1


def test_changing_a_target_refreshes_progress(sample, administrator):
    services.record_reading(administrator, sample.metric, datetime.date(2025, 3, 31), Decimal("65"))
    sample.ours.refresh_from_db()
    assert sample.ours.progress == Decimal("25.00")  # mean of 50 (metric) and 0 (milestones)

    editing.update_measure(administrator, sample.metric, target_value=Decimal("80"))
    sample.ours.refresh_from_db()
    assert sample.ours.progress == Decimal("12.50")  # metric now 25
    assert AuditEvent.objects.get(action="deal.measure.updated").details == {
        "fields": ["target_value"]
    }


def test_metric_needs_direction_baseline_and_target(sample, administrator):
    values = {
        **METRIC_VALUES,
        "direction": "",
        "baseline_value": None,
        "target_value": None,
        "target_on": datetime.date(2020, 1, 1),
    }
    with pytest.raises(ValidationError) as refused:
        editing.create_measure(administrator, sample.ours, **values)
    assert refused.value.message_dict == {
        "direction": ["Select whether higher or lower figures are better."],
        "baseline_value": ["Enter the baseline: the figure progress is measured from."],
        "target_value": ["Enter the target figure."],
        "target_on": ["The target date must be after the baseline date."],
    }
    assert Measure.objects.count() == 2


def test_measure_reference_is_unique_within_the_deal_and_only_our_part_is_measured(
    sample, administrator
):
    with pytest.raises(ValidationError) as clash:
        editing.create_measure(
            administrator, sample.ours, **{**METRIC_VALUES, "reference": "HW1.1"}
        )
    with pytest.raises(ValidationError) as yours:
        editing.create_measure(administrator, sample.yours, **METRIC_VALUES)
    assert clash.value.message_dict == {
        "reference": [
            "The reference HW1.1 is already used in this Deal by the measure “Adults who are "
            "physically active”. Each measure needs its own reference."
        ]
    }
    assert yours.value.messages == ["Only the council’s commitments (our part) have measures."]
    assert Measure.objects.count() == 2


def test_a_measure_with_figures_cannot_become_milestones(sample, administrator):
    services.record_reading(administrator, sample.metric, datetime.date(2025, 3, 31), Decimal("65"))
    with pytest.raises(ValidationError) as refused:
        editing.update_measure(administrator, sample.metric, kind=MeasureKind.MILESTONES)
    assert refused.value.message_dict == {
        "kind": ["This measure has recorded figures, so it must stay a metric."]
    }
    sample.metric.refresh_from_db()
    assert (sample.metric.kind, sample.metric.target_value) == (MeasureKind.METRIC, Decimal("70"))


def test_a_milestones_measure_keeps_no_metric_fields(sample, administrator):
    measure = editing.create_measure(
        administrator, sample.ours, **{**METRIC_VALUES, "kind": MeasureKind.MILESTONES}
    )
    measure.refresh_from_db()
    assert (measure.unit, measure.direction, measure.baseline_value, measure.target_value) == (
        "",
        "",
        None,
        None,
    )
    assert measure.source == "School swimming returns"


def test_adding_a_milestone_refreshes_progress(sample, administrator):
    services.complete_milestone(administrator, sample.milestones[0], datetime.date(2025, 1, 10))
    milestone = editing.create_milestone(
        administrator, sample.milestones_measure, title="Gyms evaluated"
    )
    sample.ours.refresh_from_db()
    assert sample.ours.progress == Decimal("25.00")  # 1 of 4
    assert milestone.position == 3
    assert AuditEvent.objects.filter(action="deal.milestone.created").count() == 1


def test_milestone_titles_are_unique_within_a_measure_and_only_on_milestone_measures(
    sample, administrator
):
    with pytest.raises(ValidationError) as clash:
        editing.create_milestone(administrator, sample.milestones_measure, title="first gym OPEN")
    with pytest.raises(ValidationError) as metric:
        editing.create_milestone(administrator, sample.metric, title="A milestone")
    assert clash.value.message_dict == {
        "title": ["This measure already has a milestone with that title."]
    }
    assert metric.value.messages == ["Only a milestones measure has milestones."]
    assert Milestone.objects.count() == 3


def test_updating_a_milestone_keeps_its_position_when_none_given(sample, administrator):
    updated = editing.update_milestone(
        administrator,
        sample.milestones[2],
        title="Every gym open",
        due_on=datetime.date(2027, 6, 30),
        position=None,
    )
    assert (updated.title, updated.due_on, updated.position) == (
        "Every gym open",
        datetime.date(2027, 6, 30),
        2,
    )


def test_reordering_commitments_and_milestones(sample, administrator):
    editing.reorder_commitments(
        administrator, sample.theme, [sample.yours.public_id, sample.ours.public_id]
    )
    assert list(sample.theme.commitments.values_list("reference", "position")) == [
        ("HW2", 0),
        ("HW1", 1),
    ]
    order = [milestone.public_id for milestone in reversed(sample.milestones)]
    editing.reorder_milestones(administrator, sample.milestones_measure, order)
    assert list(sample.milestones_measure.milestones.values_list("title", flat=True)) == [
        "All gyms open",
        "First gym open",
        "Sites agreed",
    ]
    assert AuditEvent.objects.filter(action="deal.commitment.reordered").count() == 1


def test_reordering_must_name_every_item_once(sample, administrator, practitioner):
    with pytest.raises(ValidationError) as refused:
        editing.reorder_commitments(administrator, sample.theme, [sample.yours.public_id])
    assert refused.value.messages == [
        "The new order must list each of the commitments exactly once."
    ]
    with pytest.raises(PermissionDenied):
        editing.reorder_themes(practitioner, sample.deal, [sample.theme.public_id])
    assert list(sample.theme.commitments.values_list("reference", "position")) == [
        ("HW1", 0),
        ("HW2", 1),
    ]
