"""The demo observatory: the real public files of the shared data folder, imported as they are.

Fingertips indicators missing from the folder are fetched from the Fingertips API (through
`core.data_sources`, which says so); the other publishers' files have no stable download
address to fetch from, so a missing one is reported and skipped. Importing again changes
nothing (releases are recognised by checksum). The demo Deal's health measures are then linked
to their observatory series.
"""

import os
import sys
from pathlib import Path
from typing import TextIO

from django.conf import settings

from opendeal.core.data_sources import DataUnavailable, fingertips_indicator, locate
from opendeal.core.demo import demo_email
from opendeal.core.models import User
from opendeal.core.roles import Role

from .importers.base import ImportFailed
from .importers.cqc import import_cqc_directory
from .importers.eyfsp import import_eyfsp
from .importers.fingertips import import_fingertips
from .importers.neighbours import import_ons_neighbours
from .importers.oflog import import_oflog
from .importers.population import import_population
from .importers.revenue_outturn import import_revenue_outturn
from .models import Indicator, Neighbour, Observation, Release, Source

# (indicator id, file in the data folder, release label)
FINGERTIPS_FILES = [
    (90362, "fingertips_90362_healthy_life_expectancy_2010-12_to_2018-20.csv", "2024 release"),
    (90362, "fingertips_90362_healthy_life_expectancy_2011-13_to_2021-23.csv", "2025 release"),
    (90366, "fingertips_90366_life_expectancy_2015-17_to_2023-25.csv", ""),
    (92443, "fingertips_92443_smoking_prevalence_2011_to_2024.csv", ""),
    (93014, "fingertips_93014_physically_active_adults_2015-16_to_2024-25.csv", ""),
    (93721, "fingertips_93721_u75_preventable_mortality_2010_to_2023.csv", ""),
    (40502, "fingertips_40502_u75_preventable_cancer_mortality_2001-03_to_2015-17.csv", ""),
]
# The demo Deal's measures and the observatory series that give their figures.
DEAL_MEASURES = {
    "HW1.1": ("93014", "Persons"),
    "HW2.1": ("92443", "Persons"),
    "HW3.1": ("93721", "Male"),
    "HW3.2": ("93721", "Female"),
}


def _shared(relative: str) -> Path | None:
    path = Path(settings.OPENDEAL_DATA_DIR) / relative
    return path if path.exists() else None


def load_demo_observatory(log: TextIO = sys.stderr) -> str:
    releases_before = Release.objects.count()
    with open(os.devnull, "w") as quiet:
        _population(log, quiet)
        for indicator_id, file_name, label in FINGERTIPS_FILES:
            dataset = fingertips_indicator(indicator_id, f"observatory/{file_name}")
            try:
                path = locate(dataset, log=log)
            except DataUnavailable as error:
                print(f"{error}. The observatory is left without it.", file=log)
                continue
            _run(
                log,
                import_fingertips,
                path,
                label=f"Fingertips {indicator_id} {label}".strip(),
                progress=quiet,
            )
        for relative, importer in (
            (
                "observatory/dfe_eyfsp_good_level_of_development_2012-13_to_2018-19.csv",
                import_eyfsp,
            ),
            ("observatory/oflog_adult_social_care_measures_2015-16_to_2022-23.csv", import_oflog),
            (
                "care/cqc_care_directory_2019-07-17_greater_manchester_care_homes.csv",
                import_cqc_directory,
            ),
        ):
            if path := _available(relative, log):
                _run(log, importer, path, progress=quiet)
        workbooks = sorted(
            (Path(settings.OPENDEAL_DATA_DIR) / "observatory" / "finance").glob("*.xls")
        )
        if workbooks:
            _run(log, import_revenue_outturn, workbooks, progress=quiet)
        else:
            _missing("observatory/finance/mhclg_revenue_outturn_summary_RS_*.xls", log)
    if folder := _available("observatory/neighbours", log):
        try:
            import_ons_neighbours(folder)
        except ImportFailed as failure:
            print(failure, file=log)
    linked = link_demo_deal_measures()
    return (
        f"Observatory: {Indicator.objects.count()} indicators, "
        f"{Release.objects.count() - releases_before} releases imported this run, "
        f"{Observation.objects.count():,} figures, {Neighbour.objects.count():,} neighbour links; "
        f"{linked} Deal measures read from observatory series."
    )


def _population(log: TextIO, quiet: TextIO) -> None:
    if census := _available(
        "observatory/population/census2021_ts007_age_by_single_year_lad.csv", log
    ):
        _run(log, import_population, [census], progress=quiet)
    estimates = [
        path
        for name in (
            "ons_mye_mid2019_lad19_single_year_of_age.rda",
            "ons_mye_mid2020_lad21_single_year_of_age.rda",
        )
        if (path := _available(f"observatory/population/{name}", log))
    ]
    if estimates:
        _run(log, import_population, estimates, progress=quiet)
    # Adults 16+ in every year of the Deal, 2010 to 2021; read after the census, whose areas
    # its district names are matched to.
    if nomis := _available(
        "observatory/population/nomis_mye_aged16plus_lad_2010_to_2021.xlsx", log
    ):
        _run(log, import_population, [nomis], progress=quiet)


def _available(relative: str, log: TextIO) -> Path | None:
    path = _shared(relative)
    if path is None:
        _missing(relative, log)
    return path


def _missing(relative: str, log: TextIO) -> None:
    print(
        f"{relative} is not in {settings.OPENDEAL_DATA_DIR}, and its publisher has no stable "
        "address to fetch it from: the observatory is left without it.",
        file=log,
    )


def _run(log: TextIO, importer, *args, **kwargs) -> None:
    try:
        importer(*args, **kwargs)
    except ImportFailed as failure:
        print(failure, file=log)


def link_demo_deal_measures() -> int:
    """Link the demo Deal's health measures to their observatory series and record any figure
    the series has that the measure has not (none, when the Deal's demo read the same file)."""
    from opendeal.deal.models import Measure
    from opendeal.deal.published_figures import record_observatory_figures

    recorder = User.objects.filter(email=demo_email(Role.ANALYST)).first()
    linked = 0
    for reference, (code, sex) in DEAL_MEASURES.items():
        indicator = Indicator.objects.filter(source=Source.FINGERTIPS, code=code).first()
        measure = Measure.objects.filter(reference=reference).first()
        if indicator is None or measure is None:
            continue
        if measure.observatory_indicator_id != indicator.id or measure.observatory_sex != sex:
            measure.observatory_indicator = indicator
            measure.observatory_sex = sex
            measure.save(update_fields=["observatory_indicator", "observatory_sex"])
        if recorder is not None:
            record_observatory_figures(recorder, measure)
        linked += 1
    return linked
