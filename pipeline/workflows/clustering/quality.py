"""How good a clustering is: silhouette, within-cluster sum of squares, cluster sizes (numpy only).

Shared by the evaluate Lambda (the run's clusters) and the score Lambda (each k of a sweep),
so a k's recorded silhouette and the finished run's are computed the same way. numpy only,
not scikit-learn: Lambda's managed pandas layer has no scikit-learn, and the deployment zips
carry this module.

The silhouette is quadratic in the number of points, so above ``SILHOUETTE_SAMPLE`` customers
it is computed on a sample drawn with a fixed seed (:func:`sample_indices`): the same customers
for every k of a sweep and for the run's evaluation, and the same figure on every re-run.
"""

from __future__ import annotations

import numpy as np

#: Above this many customers the silhouette is computed on a random sample of this size.
SILHOUETTE_SAMPLE = 5000
SILHOUETTE_SEED = 0
#: Rows of the distance matrix computed at once (bounds memory at ~CHUNK x n x 3 floats).
_CHUNK = 256


def sample_indices(
    count: int, sample_size: int | None = SILHOUETTE_SAMPLE, seed: int = SILHOUETTE_SEED
) -> np.ndarray | None:
    """Indices (sorted as drawn) of the silhouette's sample of ``count`` points; None for all of them.

    ``numpy.random.default_rng(seed).choice(count, size=sample_size, replace=False)`` when there are
    more than ``sample_size`` points, so anyone can draw the same sample again.
    """
    if sample_size is None or count <= sample_size:
        return None
    return np.random.default_rng(seed).choice(count, size=sample_size, replace=False)


def silhouette(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    sample_size: int | None = SILHOUETTE_SAMPLE,
    seed: int = SILHOUETTE_SEED,
) -> float:
    """Mean silhouette coefficient (Euclidean), as ``sklearn.metrics.silhouette_score`` defines it.

    For each point, ``a`` is its mean distance to the other points of its cluster and ``b``
    the smallest mean distance to the points of another cluster; its coefficient is
    ``(b - a) / max(a, b)``, and 0 for a point alone in its cluster. With more than
    ``sample_size`` points, the mean is over the sample of :func:`sample_indices`.
    Fewer than two clusters have no silhouette: the result is 0.0 then.
    """
    features = np.asarray(features, dtype="float64")
    labels = np.asarray(labels)
    chosen = sample_indices(len(features), sample_size, seed)
    if chosen is not None:
        features, labels = features[chosen], labels[chosen]
    codes, inverse = np.unique(labels, return_inverse=True)
    if len(codes) < 2:
        return 0.0
    onehot = np.zeros((len(features), len(codes)))
    onehot[np.arange(len(features)), inverse] = 1.0
    sizes = onehot.sum(axis=0)
    scores = np.empty(len(features))
    for start in range(0, len(features), _CHUNK):
        block = features[start : start + _CHUNK]
        distances = np.sqrt(((block[:, None, :] - features[None, :, :]) ** 2).sum(axis=2))
        sums = distances @ onehot  # (chunk, clusters): total distance to each cluster
        own = inverse[start : start + _CHUNK]
        rows = np.arange(len(block))
        own_size = sizes[own]
        with np.errstate(divide="ignore", invalid="ignore"):
            a = sums[rows, own] / (own_size - 1)
            means = sums / sizes
        means[rows, own] = np.inf
        b = means.min(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = (b - a) / np.maximum(a, b)
        scores[start : start + _CHUNK] = np.where(own_size > 1, np.nan_to_num(s), 0.0)
    return float(scores.mean())


def silhouette_defined(labels: np.ndarray, points: int) -> bool:
    """Whether a silhouette exists: from 2 clusters up to one fewer than the points (as scikit-learn)."""
    found = len(np.unique(labels))
    return 2 <= found <= points - 1


def nearest_centres(features: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest centre (KMeans' assignment, lowest index on a tie) and its squared distance."""
    features = np.asarray(features, dtype="float64")
    centres = np.asarray(centres, dtype="float64")
    labels = np.empty(len(features), dtype="int64")
    squared = np.empty(len(features))
    for start in range(0, len(features), 4096):
        block = features[start : start + 4096]
        distances = ((block[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest = distances.argmin(axis=1)
        labels[start : start + 4096] = nearest
        squared[start : start + 4096] = distances[np.arange(len(block)), nearest]
    return labels, squared
