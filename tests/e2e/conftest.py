"""Real-browser fixtures: Debian's Chromium driven by Playwright, a live server on loopback, the session's
real Celery worker (tests/conftest.py) doing the routing, and the fake 12345 hotline as a real process.

Chromium is /usr/bin/chromium (the Debian package, listed in .ci/apt-packages): Playwright's own browser
download is never used. Every test saves what the browser shows to docs/screenshots/<name>.png, the set the
README shows (or to $SCREENSHOTS_DIR: .ci/run runs two suites at once, and only one of them writes docs/).

The fake hotline and HOTLINE_URL come from tests/petitions/conftest.py: that module puts HOTLINE_URL (a free
loopback port) into the environment at collection time, before the session's one worker starts, so the
worker and these tests agree on where 12345 listens whichever directory is collected first.
"""
import os
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.petitions.conftest import HOTLINE_URL, FakeHotlineProcess

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "docs" / "screenshots")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(autouse=True, scope="module")
def _orm_next_to_playwright(worker_env):
    """Playwright's sync API keeps an asyncio event loop running on the main thread while the browser is open,
    and Django's async-safety guard then refuses every ORM call of the test itself (measured: without this,
    SynchronousOnlyOperation "You cannot call this from an async context"), although those calls are plain
    synchronous code between two browser steps and no coroutine shares the connection. So the guard is
    lifted for the e2e modules only, while they run (the browser closes first); `worker_env` is built
    first so that the worker and fake-hotline subprocesses never inherit it."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(_orm_next_to_playwright):
    """One Chromium per module; it is closed (and Playwright's event loop stopped) before other tests run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport, locale) -> a page in a fresh context (its own cookies) on the live server."""
    contexts = []

    def make(viewport=PHONE, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url,
                                      accept_downloads=True, device_scale_factor=1)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page, name, full_page=True):
    """Save what the browser shows as docs/screenshots/<name>.png (the README's set)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page, animations="disabled")


@pytest.fixture
def e2e_settings(settings):
    """Counters recomputed at every request (the landing must move after a resolution), 12345 on loopback."""
    settings.PUBLIC_COUNTERS_TTL = 0
    settings.HOTLINE_URL = HOTLINE_URL
    cache.clear()
    return settings


@pytest.fixture
def fake_hotline_for(tmp_path):
    """fake_hotline_for(live_server) -> `manage.py fake_hotline` running, calling back the live server."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONUNBUFFERED="1")
    process = FakeHotlineProcess(env, tmp_path / "fake_hotline.log")

    def start(server):
        return process.start(portal_url=server.url)

    yield start
    process.stop()
