"""The fund's tests keep the built 360Giving files in a directory of each test's own."""

import pytest


@pytest.fixture(autouse=True)
def _published_files_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "published-files-test": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "published", "base_url": "/no-public-url/"},
        },
    }
    settings.OPENDEAL_PUBLISHED_FILES_STORAGE = "published-files-test"
