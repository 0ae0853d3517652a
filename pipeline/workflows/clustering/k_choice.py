"""Which k a sweep goes on with: the rules of "Pick k", pure functions of the scored ks.

Each k of a sweep ends as one record (the "Score k" Lambda's payload, or the "k failed" state's):
``{"k", "status": "SUCCEEDED", "silhouette", "wcss", ...}`` or ``{"k", "status": "FAILED",
"error", "cause"}``. Only succeeded ks take part.

``silhouette`` (the default): the k with the highest silhouette (the mean silhouette coefficient
on the seeded sample of ``quality``); a tie goes to the smaller k. A k whose silhouette does not
exist (one cluster, or as many clusters as points) cannot be picked.

``elbow``: the elbow of the within-cluster sum of squares (WCSS) curve, as the point farthest
below its chord. Both axes are normalised to [0, 1] over the scored ks
(``x = (k - k_min) / (k_max - k_min)``, ``y = (wcss - wcss_min) / (wcss_max - wcss_min)``); the chord
joins the first and the last point; a point's distance is its perpendicular distance to the chord,
counted only when the point lies below it (the bend of a decreasing, convex curve). The k with the
largest distance is the elbow; a tie goes to the smaller k. With fewer than three scored ks, or a
curve with no point below its chord (straight or bending the other way), there is no elbow: the
highest silhouette is used instead and the choice says so.

Light on purpose (standard library only): the "Pick k" Lambda imports it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"


@dataclass(frozen=True)
class KChoice:
    """The chosen k, the rule asked for and the rule that decided, with the elbow's distances."""

    k: int
    rule: str
    applied: str
    note: str = ""
    #: k -> distance below the chord (elbow rule; ks above the chord get 0.0).
    elbow_distances: dict[int, float] = field(default_factory=dict)


def scored(candidates: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The succeeded candidates, by k."""
    done = [c for c in candidates if c.get("status") == SUCCEEDED]
    return sorted(done, key=lambda c: int(c["k"]))


def highest_silhouette(candidates: Sequence[Mapping[str, Any]]) -> int | None:
    """The k with the highest silhouette (the smaller k on a tie); None when no k has one."""
    best: tuple[float, int] | None = None
    for candidate in scored(candidates):
        value = candidate.get("silhouette")
        if value is None or not math.isfinite(value):
            continue
        key = (float(value), -int(candidate["k"]))
        if best is None or key > best:
            best = key
    return None if best is None else -best[1]


def elbow_distances(ks: Sequence[int], wcss: Sequence[float]) -> dict[int, float]:
    """Each k's distance below the chord of the normalised WCSS curve (0.0 on or above it)."""
    if len(ks) < 3:
        return {}
    k_low, k_high = min(ks), max(ks)
    w_low, w_high = min(wcss), max(wcss)
    if k_high == k_low or w_high == w_low:
        return {int(k): 0.0 for k in ks}
    points = [
        ((k - k_low) / (k_high - k_low), (w - w_low) / (w_high - w_low))
        for k, w in zip(ks, wcss, strict=True)
    ]
    (x0, y0), (x1, y1) = points[0], points[-1]
    length = math.hypot(x1 - x0, y1 - y0)
    distances = {}
    for k, (x, y) in zip(ks, points, strict=True):
        # > 0 when the point lies below the chord (for a chord going down from left to right).
        below = ((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
        distances[int(k)] = max(0.0, below)
    return distances


def elbow(candidates: Sequence[Mapping[str, Any]]) -> tuple[int | None, dict[int, float]]:
    """The elbow k of the succeeded candidates' WCSS (None when there is none) and every distance."""
    done = [c for c in scored(candidates) if c.get("wcss") is not None]
    distances = elbow_distances([int(c["k"]) for c in done], [float(c["wcss"]) for c in done])
    if not distances or max(distances.values()) <= 0.0:
        return None, distances
    farthest = max(distances.values())
    return min(k for k, d in distances.items() if d == farthest), distances


def choose(candidates: Sequence[Mapping[str, Any]], rule: str) -> KChoice | None:
    """The k the rule picks among the candidates; None when no k can be picked at all."""
    if rule == "elbow":
        k, distances = elbow(candidates)
        if k is not None:
            return KChoice(k=k, rule=rule, applied="elbow", elbow_distances=distances)
        fallback = highest_silhouette(candidates)
        if fallback is None:
            return None
        return KChoice(
            k=fallback,
            rule=rule,
            applied="silhouette",
            note="The WCSS curve has no elbow (fewer than three scored ks, or no bend): "
            "the highest silhouette decided.",
            elbow_distances=distances,
        )
    k = highest_silhouette(candidates)
    return None if k is None else KChoice(k=k, rule=rule, applied="silhouette")
