import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.roles import build_world, user_of


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api_as(world):
    """api_as("rep_a"): a client that sends that role's real token; api_as(None): anonymous."""

    def make(role):
        client = APIClient()
        if role is not None:
            token, _ = Token.objects.get_or_create(user=user_of(world, role))
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
