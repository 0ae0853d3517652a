"""Lambda "rfm-studio-score-k": how good one k of a sweep is, from the model its training job wrote.

The "Score k" state inside the sweep's Map, after "Train k". It reads the KMeans model
(``model.tar.gz`` holding mxnet's NDArray file of the centres, read by
``pipeline.workflows.kmeans_ndarray`` with ``struct`` and numpy: no mxnet, nothing of the local
engine) and the run's standardised features, assigns every customer to
its nearest centre, as KMeans' own batch transform does, and returns:

- ``wcss``: the within-cluster sum of squares (KMeans' inertia) over every customer;
- ``cluster_sizes``: customers a cluster (index = cluster), over every customer;
- ``silhouette``: the mean silhouette (``quality.silhouette``) on the fixed seeded sample of
  ``quality.sample_indices`` (every customer up to 5,000), the same sample for every k and
  for the run's evaluation; null when it does not exist (one cluster, or one customer a cluster).

WCSS and sizes cost one pass over the customers, so they are exact; only the quadratic
silhouette is sampled. The payload is the iteration's output, which "Pick k" reads.

Event (built by the Map's item selector and "Train k")::

    {"k": 4, "TrainingJobName": "...-k4", "ModelArtifact": "s3://.../model.tar.gz",
     "FeaturesUri": "s3://.../train/features.csv"}
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from pipeline.errors import DataError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.clustering.k_choice import SUCCEEDED
from pipeline.workflows.clustering.quality import (
    nearest_centres,
    sample_indices,
    silhouette,
    silhouette_defined,
)
from pipeline.workflows.kmeans_ndarray import read_kmeans_model_tar


def _read(storage: Storage, uri: str, what: str) -> bytes:
    try:
        return storage.read_bytes(uri)
    except FileNotFoundError:
        raise DataError(f"The {what} {uri} is not there: run the workflow again.") from None


def read_features(storage: Storage, features_uri: str) -> np.ndarray:
    """The standardised features (headerless CSV, one row a customer) the training job saw."""
    data = _read(storage, features_uri, "features file")
    try:
        return np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2)
    except ValueError as error:
        raise DataError(
            f"{features_uri} is not headerless numeric CSV ({error}): run the workflow again."
        ) from None


def score(event: dict[str, Any], storage: Storage) -> dict[str, Any]:
    """Score one k for ``event`` on ``storage``; returns the iteration's record."""
    try:
        k = int(event["k"])
        job = str(event["TrainingJobName"])
        artifact, features_uri = event["ModelArtifact"], event["FeaturesUri"]
    except (KeyError, TypeError, ValueError) as missing:
        raise DataError(
            f"The score step needs k, TrainingJobName, ModelArtifact and FeaturesUri: {missing}."
        ) from None

    centres = read_kmeans_model_tar(_read(storage, artifact, "model artifact"))
    features = read_features(storage, features_uri)
    if centres.shape[1] != features.shape[1]:
        raise DataError(
            f"The model of {job} has {centres.shape[1]} features a centre but the run's features have "
            f"{features.shape[1]}: run the workflow again."
        )
    labels, squared = nearest_centres(features, centres)
    sizes = np.bincount(labels, minlength=len(centres))
    chosen = sample_indices(len(features))
    sample_labels = labels if chosen is None else labels[chosen]
    sample_size = len(sample_labels)
    value = silhouette(features, labels) if silhouette_defined(sample_labels, sample_size) else None
    return {
        "k": k,
        "status": SUCCEEDED,
        "silhouette": value,
        "wcss": float(squared.sum()),
        "cluster_sizes": [int(size) for size in sizes],
        "clusters_found": int((sizes > 0).sum()),
        "customers": len(features),
        "silhouette_sample_size": sample_size,
        "training_job_name": job,
        "model_artifact": artifact,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return score(event, default_storage())
