"""The outcomes observatory: areas, indicators, releases and their figures.

A *release* is one publication of an indicator as imported (a Fingertips download, a year's
workbooks read together). Publishers revise past values, so figures always belong to one
release and a series is read from one release, never spliced from several. The headline
figures (`Observation`, one per area, sex, age and period) are kept apart from category
breakdowns (`CategoryObservation`, e.g. deprivation deciles), so the panel of one indicator,
sex and release — every area by every period — is one index range scan.
"""

import uuid

from django.db import models
from django.db.models import F
from django.utils import timezone


class AreaType(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COMBINED_AUTHORITY = "combined_authority", "Combined authority"
    COUNTY = "county", "County council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN = "metropolitan", "Metropolitan district"
    LONDON_BOROUGH = "london_borough", "London borough"
    DISTRICT = "district", "Non-metropolitan district"
    OTHER = "other", "Other area"


# GSS code prefixes (the entity code) and what they are.
AREA_TYPE_BY_PREFIX = {
    "E92": AreaType.COUNTRY,
    "E12": AreaType.REGION,
    "E47": AreaType.COMBINED_AUTHORITY,
    "E10": AreaType.COUNTY,
    "E06": AreaType.UNITARY,
    "E08": AreaType.METROPOLITAN,
    "E09": AreaType.LONDON_BOROUGH,
    "E07": AreaType.DISTRICT,
}
LOCAL_AUTHORITY_TYPES = (
    AreaType.COUNTY,
    AreaType.UNITARY,
    AreaType.METROPOLITAN,
    AreaType.LONDON_BOROUGH,
    AreaType.DISTRICT,
)
ENGLAND = "E92000001"


class Area(models.Model):
    """England, a region or an English local authority, by its ONS GSS code."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    area_type = models.CharField(max_length=20, choices=AreaType.choices)
    region = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_england(self) -> bool:
        return self.code == ENGLAND


class NeighbourModel(models.TextChoices):
    COUNCIL = "council", "Set by the council"
    GLOBAL = "global", "ONS similar areas (all measures)"
    DEMOGRAPHIC = "demographic", "ONS similar areas (demographic)"
    ECONOMIC = "economic", "ONS similar areas (economic)"


class Neighbour(models.Model):
    """One of an area's statistical neighbours, in rank order (1 is the most similar)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="neighbour_links")
    neighbour = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=20, choices=NeighbourModel.choices)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["area", "model", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "model", "neighbour"], name="observatory_neighbour_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} → {self.neighbour_id} ({self.model}, {self.rank})"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NO_JUDGEMENT = "none", "Neither higher nor lower is better"


class Source(models.TextChoices):
    FINGERTIPS = "fingertips", "OHID Fingertips"
    EYFSP = "eyfsp", "DfE Early Years Foundation Stage Profile"
    OFLOG = "oflog", "Office for Local Government"
    REVENUE_OUTTURN = "revenue_outturn", "Revenue Outturn Summary"
    POPULATION = "population", "ONS population"
    CQC = "cqc", "Care Quality Commission"
    STAFF_SURVEY = "staff_survey", "Staff survey"


class Indicator(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=20, choices=Source.choices)
    # The publisher's id, e.g. Fingertips "90362", Oflog "ASC1".
    code = models.CharField(max_length=100)
    # Used in addresses: "fingertips-90362".
    slug = models.SlugField(max_length=130, unique=True)
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=50, blank=True)
    polarity = models.CharField(
        max_length=10, choices=Polarity.choices, default=Polarity.NO_JUDGEMENT
    )
    description = models.TextField(blank=True)
    # A total for the area (spending, population, a count), not a rate: England's figure is
    # not comparable with an authority's, so it is not compared or charted against it.
    is_total = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="observatory_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name


class ReleaseQuerySet(models.QuerySet):
    def newest_first(self) -> "ReleaseQuerySet":
        """The latest release first: the one covering the latest period, then the one
        published (or else imported) last."""
        return self.order_by(
            F("last_period_sortable").desc(nulls_last=True),
            F("published_on").desc(nulls_last=True),
            "-imported_at",
            "-pk",
        )


class Release(models.Model):
    """One publication of an indicator, as imported. Re-importing the same file finds the same
    release (by its checksum) and changes nothing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="releases")
    label = models.CharField(max_length=200)
    file_name = models.CharField(max_length=300)
    # SHA-256 of the files read, so the same publication is recognised when imported again.
    checksum = models.CharField(max_length=64)
    published_on = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    first_period_sortable = models.PositiveIntegerField(null=True, blank=True)
    last_period_sortable = models.PositiveIntegerField(null=True, blank=True)
    observations = models.PositiveIntegerField(default=0)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "checksum"], name="observatory_release_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.label}"


class Comparison(models.TextChoices):
    BETTER = "better", "Better"
    SIMILAR = "similar", "Similar"
    WORSE = "worse", "Worse"
    HIGHER = "higher", "Higher"
    LOWER = "lower", "Lower"
    NOT_COMPARED = "not_compared", "Not compared"


class BaseObservation(models.Model):
    # No index of its own: the unique constraint below begins with the release.
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Figures are always read by release first (the constraint's index); an index on the area
    # alone would cost a third of a large import's time and serve no query.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    sex = models.CharField(max_length=10)
    age = models.CharField(max_length=50, blank=True)
    # As published: "2018 - 20", "2015/16", "2019"; sortable as Fingertips does, 20180000.
    period = models.CharField(max_length=30)
    period_sortable = models.PositiveIntegerField()
    period_end = models.DateField()
    period_range = models.CharField(max_length=5, blank=True)
    value = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    lower_ci_95 = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    upper_ci_95 = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    lower_ci_99_8 = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    upper_ci_99_8 = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    count = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    value_note = models.CharField(max_length=300, blank=True)
    # The publisher's own comparison with England, as published ("Better", "Similar", ...).
    published_comparison = models.CharField(max_length=60, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.value} in {self.period} ({self.sex})"


class Observation(BaseObservation):
    """A headline figure: one per release, area, sex, age and period."""

    class Meta:
        ordering = ["period_sortable"]
        constraints = [
            # Also the panel's index: release, sex → every area and period.
            models.UniqueConstraint(
                fields=["release", "sex", "age", "area", "period_sortable", "period_range"],
                name="observatory_observation_once",
            )
        ]


class CategoryObservation(BaseObservation):
    """A figure for a category within an area (e.g. its most deprived decile), kept apart
    from the headline figures."""

    category_type = models.CharField(max_length=300)
    category = models.CharField(max_length=300)

    class Meta:
        ordering = ["period_sortable"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "release",
                    "sex",
                    "age",
                    "area",
                    "category_type",
                    "category",
                    "period_sortable",
                    "period_range",
                ],
                name="observatory_category_observation_once",
            )
        ]
