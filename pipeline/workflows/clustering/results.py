"""Read a finished clustering run's results: ``clusters.csv`` and ``summary.json`` under its run prefix.

The evaluate Lambda writes both files (see ``layout``) on either backend; this module reads them
back through a ``pipeline.storage.Storage`` (S3 or the local bucket), so the clusters page has
one code path whichever backend ran the workflow.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.errors import WorkflowError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.clustering.layout import RunLayout

#: dtypes of clusters.csv's columns (one row a customer).
CLUSTERS_DTYPES: dict[str, str] = {
    "CustomerID": "int64",
    "Recency": "int64",
    "Frequency": "int64",
    "Monetary": "float64",
    "R": "int64",
    "F": "int64",
    "M": "int64",
    "Segment": "string",
    "Cluster": "int64",
    "ClusterName": "string",
    "DistanceToCentre": "float64",
    "Country": "string",
}


@dataclass
class RunResults:
    """A finished run's outputs: one row a customer (with its cluster) and the summary."""

    clusters: pd.DataFrame
    summary: dict[str, Any]
    location: str = ""


def read_run_results(run_prefix: str, storage: Storage | None = None) -> RunResults:
    """The clusters table and summary of the run whose files live under ``run_prefix``.

    Raises ``WorkflowError`` naming the missing file when the run has not written its results
    (it failed before "Evaluate clusters", or the files were removed).
    """
    storage = storage or default_storage()
    layout = RunLayout(run_prefix)
    try:
        clusters_bytes = storage.read_bytes(layout.clusters_uri)
        summary_bytes = storage.read_bytes(layout.summary_uri)
    except FileNotFoundError as missing:
        raise WorkflowError(
            f"The run's results are not there ({missing}): only a run that SUCCEEDED has them; "
            "launch it again if its files were removed."
        ) from None
    except Exception as error:  # S3 errors: access denied, no such key...
        raise WorkflowError(f"Could not read the run's results under {run_prefix}: {error}") from error
    clusters = pd.read_csv(io.BytesIO(clusters_bytes), dtype={"Segment": "string", "ClusterName": "string"})
    present = {column: dtype for column, dtype in CLUSTERS_DTYPES.items() if column in clusters.columns}
    clusters = clusters.astype(present)
    summary: dict[str, Any] = json.loads(summary_bytes.decode("utf-8"))
    return RunResults(clusters=clusters, summary=summary, location=run_prefix)


def headline(results: RunResults) -> dict[str, Any]:
    """The figures a person looks at first: k, the silhouette and the size of each cluster."""
    summary = results.summary
    return {
        "k": summary.get("k"),
        "clusters_found": summary.get("clusters_found"),
        "customers": summary.get("customers"),
        "silhouette": summary.get("silhouette"),
        "cluster_sizes": {str(c.get("Name")): c.get("Customers") for c in summary.get("clusters", [])},
    }
