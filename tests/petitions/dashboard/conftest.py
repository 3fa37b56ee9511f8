import re

import pytest

from tests.roles import build_world


@pytest.fixture
def world(db):
    return build_world()


def offered_actions(html: str) -> set:
    """The actions the page offers, read from the buttons it rendered."""
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def form_state(html: str, action: str) -> dict:
    """The hidden expected_status and version of one action's form on the page."""
    status = re.search(rf'name="{action}-expected_status" value="([a-z_]+)"', html).group(1)
    version = re.search(rf'name="{action}-version" value="(\d+)"', html).group(1)
    return {f"{action}-expected_status": status, f"{action}-version": version}
