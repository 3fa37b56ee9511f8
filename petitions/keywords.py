"""The routing dictionary: the shipped file, loading it into SectorKeyword, and the per-process classifier.

Staff edit SectorKeyword rows in the admin. Each routing asks the database for a cheap fingerprint
of the dictionary (count and last change) and rebuilds the classifier only when it changed, so an
edit takes effect on the next petition in every worker without a restart.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max

from offices.models import Sector

from .classifier import Classifier
from .models import SectorKeyword

logger = logging.getLogger(__name__)

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "sector_keywords.txt"


def parse_keywords_file(path: Path = SHIPPED_FILE) -> list[tuple[tuple[str, ...], str, int]]:
    """[(alternative sector codes, term, weight)] from the format described at the top of the shipped file."""
    entries, code = [], None
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            code = tuple(c.strip() for c in line[1:-1].split("|") if c.strip())
            continue
        if code is None:
            raise ValueError(f"{path}:{number}: a term before any [sector] header")
        parts = line.split()
        weight = int(parts[1]) if len(parts) > 1 else 1
        entries.append((code, parts[0], max(1, min(10, weight))))
    return entries


def _resolved(path: Path) -> list[tuple[int, str, int]]:
    """(sector id, term, weight) for the file's sections whose sector exists; the others are skipped."""
    sectors = dict(Sector.objects.values_list("code", "id"))
    entries, skipped = [], set()
    for codes, term, weight in parse_keywords_file(path):
        found = next((sectors[c] for c in codes if c in sectors), None)
        if found is None:
            skipped.add("|".join(codes))
        else:
            entries.append((found, term, weight))
    if skipped:
        logger.info("routing dictionary: no sector with code %s; its terms were skipped", ", ".join(sorted(skipped)))
    return entries


@transaction.atomic
def sector_keywords_load(*, path: Path = SHIPPED_FILE) -> int:
    """Add the file's terms that are missing; never changes a term staff have edited. Idempotent.

    Terms of sector codes that do not exist (yet) are skipped, so this can run before or after the
    demo data. Returns how many terms were added.
    """
    wanted = _resolved(path)
    existing = set(SectorKeyword.objects.values_list("sector_id", "term"))
    new = [SectorKeyword(sector_id=sid, term=term, weight=weight)
           for sid, term, weight in wanted if (sid, term) not in existing]
    SectorKeyword.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


_cache: dict = {}
_cache_lock = threading.Lock()


def _entries_from_database() -> list[tuple[str, int, float]]:
    return list(SectorKeyword.objects.filter(active=True).values_list("term", "sector_id", "weight"))


def _entries_from_file() -> list[tuple[str, int, float]]:
    # Before anyone loaded the dictionary, route with the shipped file rather than by category alone.
    return [(term, sector_id, weight) for sector_id, term, weight in _resolved(SHIPPED_FILE)]


def current_classifier() -> Classifier:
    """The classifier for the dictionary as it is now: one aggregate query, a rebuild only after an edit."""
    stamp = SectorKeyword.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    fingerprint = (stamp["n"], stamp["changed"])
    if stamp["n"] == 0:
        fingerprint = ("file", tuple(Sector.objects.order_by("id").values_list("id", "code")))
    with _cache_lock:
        if _cache.get("fingerprint") != fingerprint:
            entries = _entries_from_database() if stamp["n"] else _entries_from_file()
            _cache.update(fingerprint=fingerprint, classifier=Classifier(entries))
        return _cache["classifier"]
