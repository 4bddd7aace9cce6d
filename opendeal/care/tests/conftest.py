import pytest

from .helpers import build_world


@pytest.fixture
def world(db, make_user):
    return build_world(make_user)
