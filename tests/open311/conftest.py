import pytest
from django.core.cache import cache

from offices.models import ApiKey


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(db):
    """(raw key, ApiKey row): created the way the admin creates it."""
    raw = ApiKey.generate()
    key = ApiKey(name="civic app", rate="5/h")
    key.set_key(raw)
    key.save()
    return raw, key
