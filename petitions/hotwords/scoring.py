"""Score terms of a window against their background. Pure: no ORM.

a: petitions of the scope in the window that contain the term; n1: petitions of the scope in the window;
b, n2: the same over the background (the scope's BACKGROUND_DAYS before the window starts).
The score is Dunning's log-likelihood ratio G² of the 2×2 table, counted only when the term is more
frequent in the window than in the background; the rise is the ratio of the two rates, the background
rate smoothed by one petition so that a term never seen before gets a finite rise.
See docs/hotwords.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# A scope with fewer background petitions than this borrows the city's background rates.
MIN_BACKGROUND = 30
# Below this rise a term is at its usual level: not hot, however frequent.
MIN_RISE = 1.5


@dataclass(frozen=True)
class Scored:
    term: str
    count: int
    total: int
    background_count: int
    background_total: int
    rise: float
    score: float


def _xlogx_ratio(observed: float, expected: float) -> float:
    return observed * math.log(observed / expected) if observed > 0 and expected > 0 else 0.0


def log_likelihood(a: float, n1: float, b: float, n2: float) -> float:
    """Signed G²: positive when the term is over-represented in the window, 0 without a background."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    c, d = n1 - a, n2 - b
    total = n1 + n2
    e_a, e_b = n1 * (a + b) / total, n2 * (a + b) / total
    e_c, e_d = n1 * (c + d) / total, n2 * (c + d) / total
    g2 = 2 * (_xlogx_ratio(a, e_a) + _xlogx_ratio(b, e_b) + _xlogx_ratio(c, e_c) + _xlogx_ratio(d, e_d))
    return g2 if a / n1 > b / n2 else -g2


def rise(a: float, n1: float, b: float, n2: float) -> float:
    if n1 <= 0:
        return 0.0
    return (a / n1) / ((b + 1) / (n2 + 1))


def rank(counts: dict[str, tuple[int, int]], *, total: int, background_total: int, min_count: int, limit: int,
         reference: dict[str, tuple[int, int]] | None = None, reference_total: int = 0) -> list[Scored]:
    """The `limit` hot words of one scope and window, best first.

    counts: term -> (a, b). reference: the city's term -> (_, b) with its background total, used when the
    scope's own background is thinner than MIN_BACKGROUND. Without any background, the most frequent terms
    (at least `min_count` petitions) rank by count, with a rise of 0 meaning "no background yet".
    """
    own_background = background_total >= MIN_BACKGROUND or reference is None or reference_total < MIN_BACKGROUND
    scored = []
    for term, (a, b) in counts.items():
        if a < min_count:
            continue
        if own_background:
            bb, n2 = b, background_total
        else:
            bb, n2 = (reference.get(term, (0, 0))[1], reference_total)
        if n2 <= 0:
            scored.append(Scored(term, a, total, b, background_total, 0.0, float(a)))
            continue
        r = rise(a, total, bb, n2)
        if r < MIN_RISE:
            continue
        g2 = log_likelihood(a, total, bb, n2)
        if g2 <= 0:
            continue
        scored.append(Scored(term, a, total, b, background_total, round(r, 2), round(g2, 3)))
    scored.sort(key=lambda s: (-s.score, -s.count, s.term))
    return scored[:limit]
