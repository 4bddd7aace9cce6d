import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opendeal.core.models import AuditEvent
from opendeal.deal import services
from opendeal.deal.models import ProgressUpdate, Reading, Status, UpdateKind

from .factories import make_small_deal


@pytest.fixture
def small_deal(db):
    return make_small_deal()


def test_recording_a_reading_updates_progress_timeline_and_audit(small_deal, administrator):
    reading = services.record_reading(
        administrator,
        small_deal.activity,
        datetime.date(2024, 3, 31),
        Decimal("65"),
        note="Survey.",
    )
    small_deal.active_lives.refresh_from_db()
    assert small_deal.active_lives.progress == Decimal("50.00")
    update = ProgressUpdate.objects.get(commitment=small_deal.active_lives)
    assert update.kind == UpdateKind.READING
    assert update.summary == "Active adults was 65% on 31 March 2024. Survey."
    assert update.recorded_by_name == "Alex Admin"
    assert update.progress == Decimal("50.00")
    assert (
        AuditEvent.objects.filter(
            action="deal.reading.recorded", object_id=str(reading.public_id)
        ).count()
        == 1
    )


def test_a_second_reading_on_the_same_date_corrects_the_first(small_deal, administrator):
    day = datetime.date(2024, 3, 31)
    services.record_reading(administrator, small_deal.activity, day, Decimal("65"))
    services.record_reading(administrator, small_deal.activity, day, Decimal("62"))
    assert list(Reading.objects.values_list("value", flat=True)) == [Decimal("62.0000")]
    assert (
        ProgressUpdate.objects.first().summary
        == "Active adults was corrected to 62% on 31 March 2024."
    )
    small_deal.active_lives.refresh_from_db()
    assert small_deal.active_lives.progress == Decimal("20.00")


def test_the_latest_reading_sets_progress(small_deal, administrator):
    services.record_reading(
        administrator, small_deal.activity, datetime.date(2025, 3, 31), Decimal("68")
    )
    services.record_reading(
        administrator, small_deal.activity, datetime.date(2024, 3, 31), Decimal("61")
    )
    small_deal.active_lives.refresh_from_db()
    assert small_deal.active_lives.progress == Decimal("80.00")


@pytest.mark.parametrize("who", ["resident", "practitioner"])
def test_people_without_the_permission_change_nothing(small_deal, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="does not include recording progress"):
        services.record_reading(
            actor, small_deal.activity, datetime.date(2024, 3, 31), Decimal("65")
        )
    with pytest.raises(PermissionDenied):
        services.complete_milestone(actor, small_deal.milestones[0], datetime.date(2024, 3, 31))
    assert Reading.objects.count() == 0
    assert ProgressUpdate.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    small_deal.milestones[0].refresh_from_db()
    assert small_deal.milestones[0].completed_on is None


def test_a_future_date_is_refused(small_deal, administrator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refusal:
        services.record_reading(administrator, small_deal.activity, tomorrow, Decimal("65"))
    assert refusal.value.message_dict == {"observed_on": ["The date must be today or in the past."]}
    assert Reading.objects.count() == 0


def test_a_reading_needs_a_metric_measure(small_deal, administrator):
    with pytest.raises(ValidationError, match=r"HW2\.1 is not a metric measure"):
        services.record_reading(
            administrator, small_deal.fund_milestones, datetime.date(2024, 1, 1), Decimal("1")
        )


def test_milestones_count_towards_progress(small_deal, administrator):
    services.complete_milestone(administrator, small_deal.milestones[0], datetime.date(2024, 4, 2))
    small_deal.fund.refresh_from_db()
    assert small_deal.fund.progress == Decimal("33.33")
    update = ProgressUpdate.objects.get(commitment=small_deal.fund)
    assert (update.kind, update.summary) == (UpdateKind.MILESTONE, "Milestone reached: Fund opens.")


def test_progress_is_the_weighted_mean_of_measures(small_deal, administrator):
    # Give the metric commitment a second, milestones measure weighted 3 to 1.
    milestones = small_deal.active_lives.measures.create(
        reference="HW1.2", title="Plan", kind="milestones", weight=Decimal("3")
    )
    done = milestones.milestones.create(title="Done")
    milestones.milestones.create(title="Not done")
    services.complete_milestone(administrator, done, datetime.date(2024, 1, 1))
    small_deal.active_lives.refresh_from_db()
    assert small_deal.active_lives.progress == Decimal("50.00")  # metric unmeasured: left out
    services.record_reading(
        administrator, small_deal.activity, datetime.date(2024, 3, 31), Decimal("70")
    )
    small_deal.active_lives.refresh_from_db()
    assert small_deal.active_lives.progress == Decimal("62.50")  # (100*1 + 50*3) / 4


def test_status_change_needs_a_reason_and_goes_on_the_timeline(small_deal, administrator):
    with pytest.raises(ValidationError):
        services.change_status(administrator, small_deal.fund, Status.AT_RISK, "  ")
    services.change_status(
        administrator, small_deal.fund, Status.AT_RISK, "Fewer applications than hoped."
    )
    small_deal.fund.refresh_from_db()
    assert small_deal.fund.status == Status.AT_RISK
    assert ProgressUpdate.objects.get().summary == (
        "Status changed from Not started to At risk. Fewer applications than hoped."
    )


def test_pledges_have_no_status(small_deal, administrator):
    with pytest.raises(ValidationError, match="Only the council's commitments have a status"):
        services.change_status(administrator, small_deal.walk_daily, Status.ON_TRACK, "Because.")


def test_written_update(small_deal, administrator):
    services.post_update(administrator, small_deal.fund, datetime.date(2024, 5, 1), " Panel met. ")
    assert ProgressUpdate.objects.get().summary == "Panel met."
    with pytest.raises(ValidationError):
        services.post_update(administrator, small_deal.fund, datetime.date(2024, 5, 1), "")
