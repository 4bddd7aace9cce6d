"""Per-person summaries the demand dashboard reads instead of scanning every contact and every
wellbeing answer on each view (at 1,000,000 contacts and 200,000 answers that scan alone took
most of a second). `care.summaries` keeps them: each save or delete of a conversation or a
SWEMWBS answer refreshes its person's rows, and `rebuild_all` remakes them after bulk loads."""

from django.db import models

from .people import Person, Team


class FirstContact(models.Model):
    """The day of a person's first conversation with a team."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    first_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "team"], name="care_first_contact_once")
        ]

    def __str__(self) -> str:
        return f"First contact of person {self.person_id} with team {self.team_id}"


class WellbeingSummary(models.Model):
    """A person's SWEMWBS answers in brief: how many, the first metric score and the latest
    (by day; answers on the same day in the order they were recorded)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    answers = models.PositiveIntegerField()
    first_metric_score = models.DecimalField(max_digits=4, decimal_places=2)
    latest_metric_score = models.DecimalField(max_digits=4, decimal_places=2)

    def __str__(self) -> str:
        return f"Wellbeing of person {self.person_id}: {self.answers} answers"
