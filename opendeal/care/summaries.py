"""Keeping `FirstContact` and `WellbeingSummary` (models/summaries.py) true to the records.

Every save or delete of a `Conversation` or a `SwemwbsResponse` refreshes the summary of its
person drawn from that kind of record (a handful of rows), through signals connected in
`CareConfig.ready`, so no code path that saves one model instance can forget. Bulk writes that bypass signals
(`QuerySet.update` of a person, team or date, `bulk_create`, raw COPY) must call
`refresh_person` or `rebuild_all` themselves; erasure updates only text, which the summaries do
not hold.
"""

from django.db import connections, transaction
from django.db.models import Min

from .models import Conversation, FirstContact, SwemwbsResponse, WellbeingSummary


def refresh_person(person_id: int) -> None:
    with transaction.atomic():
        refresh_first_contacts(person_id)
        refresh_wellbeing(person_id)


def refresh_first_contacts(person_id: int) -> None:
    """The person's first contact with each team, from their conversations."""
    with transaction.atomic():
        FirstContact.objects.filter(person_id=person_id).delete()
        firsts = (
            Conversation.objects.filter(person_id=person_id)
            .values("team_id")
            .annotate(first_on=Min("held_on"))
            .order_by()
        )
        FirstContact.objects.bulk_create(
            FirstContact(person_id=person_id, team_id=row["team_id"], first_on=row["first_on"])
            for row in firsts
        )


def refresh_wellbeing(person_id: int) -> None:
    """The person's first and latest SWEMWBS scores, from their answers."""
    scores = list(
        SwemwbsResponse.objects.filter(person_id=person_id)
        .order_by("recorded_on", "pk")
        .values_list("metric_score", flat=True)
    )
    if not scores:
        WellbeingSummary.objects.filter(person_id=person_id).delete()
        return
    WellbeingSummary.objects.update_or_create(
        person_id=person_id,
        defaults={
            "answers": len(scores),
            "first_metric_score": scores[0],
            "latest_metric_score": scores[-1],
        },
    )


def rebuild_all(using: str = "default") -> None:
    """Remake every summary from the records in a few set-based statements (after a bulk load,
    and in the migration that added them). Tables by name, so a migration can call it."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("DELETE FROM care_firstcontact")
        cursor.execute("DELETE FROM care_wellbeingsummary")
        cursor.execute(
            "INSERT INTO care_firstcontact (person_id, team_id, first_on)"
            " SELECT person_id, team_id, MIN(held_on) FROM care_conversation"
            " GROUP BY person_id, team_id"
        )
        # The first answer of the first day and the last of the latest day (by id), without
        # window functions, which would sort every answer.
        cursor.execute(
            """
            INSERT INTO care_wellbeingsummary
                (person_id, answers, first_metric_score, latest_metric_score)
            WITH days AS (
                SELECT person_id, COUNT(*) AS answers,
                       MIN(recorded_on) AS first_day, MAX(recorded_on) AS last_day
                FROM care_swemwbsresponse GROUP BY person_id
            ),
            ends AS (
                SELECT s.person_id,
                       MIN(CASE WHEN s.recorded_on = d.first_day THEN s.id END) AS first_id,
                       MAX(CASE WHEN s.recorded_on = d.last_day THEN s.id END) AS last_id
                FROM care_swemwbsresponse s JOIN days d ON d.person_id = s.person_id
                GROUP BY s.person_id
            )
            SELECT d.person_id, d.answers, earliest.metric_score, latest.metric_score
            FROM days d
            JOIN ends e ON e.person_id = d.person_id
            JOIN care_swemwbsresponse earliest ON earliest.id = e.first_id
            JOIN care_swemwbsresponse latest ON latest.id = e.last_id
            """
        )


def _refresh_first_contacts(sender, instance, **kwargs) -> None:
    if instance.person_id is not None:
        refresh_first_contacts(instance.person_id)


def _refresh_wellbeing(sender, instance, **kwargs) -> None:
    if instance.person_id is not None:
        refresh_wellbeing(instance.person_id)


def connect_signals() -> None:
    """Each record refreshes only the summary drawn from it: a conversation the first contacts,
    a SWEMWBS answer the wellbeing summary."""
    from django.db.models.signals import post_delete, post_save

    for model, refresh in (
        (Conversation, _refresh_first_contacts),
        (SwemwbsResponse, _refresh_wellbeing),
    ):
        post_save.connect(refresh, sender=model, dispatch_uid=f"summary-{model}")
        post_delete.connect(refresh, sender=model, dispatch_uid=f"summary-d{model}")
