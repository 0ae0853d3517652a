"""Evidence for choosing k: KMeans inertia (the elbow) and silhouette for a range of k.

The Launch page's "Try k" helper runs this on the same clustering features the workflow
trains on (``pipeline.analysis.rfm.clustering_features``), so the user picks k before spending a run
on it. The silhouette is scored like the workflow's evaluate step scores a run: above
``SILHOUETTE_SAMPLE`` customers on a sample drawn without replacement with a fixed seed
(``numpy.random.default_rng(seed).choice``), so the figure here is comparable to the quality
threshold the run must pass, and the cost stays bounded (silhouette is quadratic in n).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pipeline.errors import DataError

#: The k values tried by default.
K_RANGE = range(2, 11)
#: Above this many customers the silhouette is computed on a sample of this size.
SILHOUETTE_SAMPLE = 5000
#: Seed of both the KMeans initialisation and the silhouette sample: same data, same figures.
SEED = 0
#: KMeans restarts per k: a few keep inertia decreasing in k without costing much.
N_INIT = 4

#: Columns of the table ``try_k`` returns.
COLUMNS = ["k", "inertia", "silhouette", "silhouette_sample"]


def fit_kmeans(features: np.ndarray, k: int, *, seed: int = SEED, n_init: int = N_INIT):
    """scikit-learn's KMeans (k-means++, ``n_init`` restarts) fitted on ``features``.

    Public so callers (and tests) can get the very labels a row of ``try_k`` was scored on.
    """
    from sklearn.cluster import KMeans  # imported here: scikit-learn costs ~2 s to import

    return KMeans(n_clusters=int(k), n_init=n_init, random_state=seed).fit(features)


def silhouette_sample_indices(n: int, *, sample_size: int | None = SILHOUETTE_SAMPLE, seed: int = SEED):
    """Rows the silhouette is computed on: all of them up to ``sample_size``, else a fixed-seed sample.

    Returns None for "all rows". Drawn exactly as the evaluate step draws its sample, so both
    score the same customers.
    """
    if sample_size is None or n <= sample_size:
        return None
    return np.random.default_rng(seed).choice(n, size=sample_size, replace=False)


def sampled_silhouette(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    sample_size: int | None = SILHOUETTE_SAMPLE,
    seed: int = SEED,
) -> float:
    """Mean silhouette (``sklearn.metrics.silhouette_score``) over all rows, or a fixed-seed sample."""
    from sklearn.metrics import silhouette_score

    chosen = silhouette_sample_indices(len(features), sample_size=sample_size, seed=seed)
    if chosen is not None:
        features, labels = features[chosen], labels[chosen]
    if len(np.unique(labels)) < 2:
        return 0.0  # one cluster in the sample: silhouette is undefined, report no structure
    return float(silhouette_score(features, labels))


def try_k(
    features: np.ndarray,
    ks: Iterable[int] = K_RANGE,
    *,
    sample_size: int | None = SILHOUETTE_SAMPLE,
    seed: int = SEED,
    n_init: int = N_INIT,
) -> pd.DataFrame:
    """Inertia and silhouette of KMeans for each k in ``ks``: one row a k, columns ``COLUMNS``.

    ``inertia`` is the within-cluster sum of squared distances (look for the elbow, where it
    stops falling fast); ``silhouette`` in [-1, 1] measures how well separated the clusters
    are (higher is better; the workflow's quality threshold is a silhouette);
    ``silhouette_sample`` is how many customers it was computed on. Raises ``DataError`` when
    there are too few customers for a k (k must be below the number of distinct customers).
    """
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2 or len(features) == 0:
        raise DataError("There are no customers to cluster: load a dataset or widen the filters.")
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 2:
        raise DataError("Try k needs values of k of at least 2.")
    distinct = len(np.unique(features, axis=0))
    if ks[-1] >= distinct:
        raise DataError(
            f"Only {distinct} distinct customers: too few to try k up to {ks[-1]}. "
            "Widen the filters (another country or all of them)."
        )
    from threadpoolctl import threadpool_limits

    chosen = silhouette_sample_indices(len(features), sample_size=sample_size, seed=seed)
    scored = features if chosen is None else features[chosen]
    rows = []
    # One thread: on a few thousand rows OpenMP's start-up and contention with the app's other
    # work cost far more than they save (measured 40x slower on a busy 2-core machine).
    with threadpool_limits(limits=1):
        for k in ks:
            model = fit_kmeans(features, k, seed=seed, n_init=n_init)
            labels = model.labels_ if chosen is None else model.labels_[chosen]
            silhouette = sampled_silhouette(scored, labels, sample_size=None)
            rows.append((k, float(model.inertia_), silhouette, len(scored)))
    return pd.DataFrame(rows, columns=COLUMNS).astype(
        {"k": "int64", "inertia": "float64", "silhouette": "float64", "silhouette_sample": "int64"}
    )


def best_k(table: pd.DataFrame) -> int:
    """The k with the highest silhouette (the smaller k on a tie): the page's suggestion."""
    if table.empty:
        raise DataError("No k was tried yet: run Try k first.")
    ordered = table.sort_values(["silhouette", "k"], ascending=[False, True], kind="stable")
    return int(ordered["k"].iloc[0])
