"""Report snapshots: a report's figures are computed once per filter set and shared for a few minutes.

The overview, team, position and operation reports aggregate a year of petitions, every open petition or
the city's 14,000 representatives. Their figures move slowly (an assessment is read over a month), and the
organisation department opens the same few views again and again, so each view's figures are kept in the
cache for REPORTS_SNAPSHOT_SECONDS and every page says when they were computed. Exports are made from
fresh figures (assessment/downloads/). A snapshot holds data only, never markup: the page around it is
rendered for each reader, in the reader's language; the key still carries the language because a few
labels (levels, "not yet routed") are translated when the figures are computed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from .filters import Filters

T = TypeVar("T")
KEY_VERSION = 1


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    data: T
    as_of: datetime

    @property
    def minutes(self) -> int:
        """How long the figures are shared, in whole minutes, for the page's note (at least one)."""
        return max(1, round(snapshot_seconds() / 60))


def snapshot_seconds() -> int:
    return int(getattr(settings, "REPORTS_SNAPSHOT_SECONDS", 300))


def snapshot_key(name: str, f: Filters, *extra) -> str:
    parts = [name, get_language() or "", f.querystring(), *map(str, extra)]
    return f"reports:snapshot:{KEY_VERSION}:" + ":".join(parts)


def report_snapshot(name: str, f: Filters, compute: Callable[[], T], *extra) -> Snapshot[T]:
    """The figures of report `name` under filters `f` (and `extra`, e.g. the day a report depends on):
    from the cache when computed less than REPORTS_SNAPSHOT_SECONDS ago, else computed now and kept.
    A cache that is down (config/cache.py fails open) means the figures are computed for every view."""
    seconds = snapshot_seconds()
    if seconds <= 0:
        return Snapshot(compute(), timezone.now())
    key = snapshot_key(name, f, *extra)
    kept = cache.get(key)
    if isinstance(kept, Snapshot):
        return kept
    fresh = Snapshot(compute(), timezone.now())
    cache.set(key, fresh, seconds)
    return fresh
