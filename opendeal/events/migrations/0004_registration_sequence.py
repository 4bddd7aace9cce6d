"""Arrival order by a per-event number taken under the event's lock (`Registration.sequence`)
instead of `registered_at`, which came from whichever web server's clock took the request.

Existing registrations are numbered 1, 2, ... per event in the order the waiting list used
until now (`registered_at`, then id), so nobody's place in the queue moves."""

from django.db import migrations, models

BATCH = 2000


def number_existing_registrations(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    event_ids = (
        Registration.objects.order_by().values_list("event_id", flat=True).distinct().iterator()
    )
    for event_id in list(event_ids):
        rows = Registration.objects.filter(event_id=event_id).order_by("registered_at", "pk")
        batch = []
        for number, registration in enumerate(rows.only("pk").iterator(), start=1):
            registration.sequence = number
            batch.append(registration)
            if len(batch) == BATCH:
                Registration.objects.bulk_update(batch, ["sequence"])
                batch = []
        Registration.objects.bulk_update(batch, ["sequence"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_event_fund_round"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="sequence",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(number_existing_registrations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="sequence",
            field=models.PositiveIntegerField(editable=False),
        ),
        migrations.AlterModelOptions(
            name="registration",
            options={"ordering": ["event_id", "sequence"]},
        ),
        migrations.RemoveIndex(
            model_name="registration",
            name="events_reg_queue",
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                fields=["event", "status", "sequence"], name="events_reg_arrivals"
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                fields=("event", "sequence"), name="events_one_arrival_per_sequence"
            ),
        ),
    ]
