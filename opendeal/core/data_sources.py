"""Real public data: read from the shared data folder when it is there, otherwise fetched from
its publisher (and said so), so a council's own machine gets the same figures.

`OPENDEAL_DATA_DIR` names the folder (see PROVENANCE.md in it). Fetched files are kept under
`VAR_DIR/public-data/` with the same relative path, so each is fetched once.
"""

import shutil
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings


@dataclass(frozen=True)
class PublicDataset:
    relative_path: str
    publisher: str
    # The publisher's base URL is a setting (so it can be a mirror, or a local server in tests);
    # this is the rest of the address.
    base_url_setting: str
    path_and_query: str

    @property
    def url(self) -> str:
        return getattr(settings, self.base_url_setting).rstrip("/") + self.path_and_query


def fingertips_indicator(indicator_id: int, relative_path: str) -> PublicDataset:
    """A Fingertips indicator for every upper-tier local authority in England (area type 502)."""
    return PublicDataset(
        relative_path=relative_path,
        publisher="OHID Fingertips",
        base_url_setting="OPENDEAL_FINGERTIPS_API_URL",
        path_and_query=(
            f"/all_data/csv/by_indicator_id?indicator_ids={indicator_id}"
            "&child_area_type_id=502&parent_area_type_id=15"
        ),
    )


class DataUnavailable(Exception):
    pass


def locate(dataset: PublicDataset, *, log: TextIO = sys.stderr, timeout: float = 60) -> Path:
    """The local path of a dataset: the shared copy, an earlier download, or a fresh download."""
    shared = Path(settings.OPENDEAL_DATA_DIR) / dataset.relative_path
    if shared.is_file():
        return shared
    downloaded = Path(settings.VAR_DIR) / "public-data" / dataset.relative_path
    if downloaded.is_file():
        return downloaded
    print(
        f"{dataset.relative_path} is not in {settings.OPENDEAL_DATA_DIR}: "
        f"fetching it from {dataset.publisher} ({dataset.url})",
        file=log,
    )
    downloaded.parent.mkdir(parents=True, exist_ok=True)
    partial = downloaded.with_suffix(downloaded.suffix + ".partial")
    request = urllib.request.Request(dataset.url, headers={"User-Agent": "OpenDeal"})
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,
            partial.open("wb") as out,
        ):
            shutil.copyfileobj(response, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DataUnavailable(
            f"Could not fetch {dataset.relative_path} from {dataset.publisher}: {error}"
        ) from error
    partial.replace(downloaded)
    return downloaded
