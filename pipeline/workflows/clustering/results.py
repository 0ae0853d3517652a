"""Read a finished clustering run's results: ``clusters.csv``, ``summary.json`` and, for a sweep,
``sweep.json`` under its run prefix.

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

from pipeline.analysis.measures import WCSS_LABEL
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
    #: A sweep's record (``sweep.json``: every k's scores, the rule, ``chosen_k``); None for a fixed k.
    sweep: dict[str, Any] | None = None

    @property
    def chosen_k(self) -> int | None:
        """The k a sweep chose (None for a fixed-k run)."""
        return None if self.sweep is None else int(self.sweep["chosen_k"])


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
    return RunResults(
        clusters=clusters, summary=summary, location=run_prefix, sweep=read_sweep(run_prefix, storage)
    )


def read_sweep(run_prefix: str, storage: Storage | None = None) -> dict[str, Any] | None:
    """The sweep record ``sweep.json`` of a run ("Pick k" writes it), None when the run had no sweep.

    It exists as soon as "Pick k" ran, so a sweep's curve can be read even if a later step failed.
    """
    storage = storage or default_storage()
    uri = RunLayout(run_prefix).sweep_uri
    try:
        data = storage.read_bytes(uri)
    except FileNotFoundError:
        return None
    except Exception as error:  # S3 errors: access denied...
        raise WorkflowError(f"Could not read the run's sweep record {uri}: {error}") from error
    try:
        sweep: dict[str, Any] = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise WorkflowError(
            f"The run's sweep record {uri} is not JSON ({error}): launch the run again."
        ) from None
    return sweep


def sweep_headline(sweep: dict[str, Any]) -> dict[str, Any]:
    """A sweep's record as figures: the rule, the chosen k, and each k's scores or failure reason."""
    return {
        "rule": sweep.get("rule"),
        "applied": sweep.get("applied"),
        "chosen_k": sweep.get("chosen_k"),
        "k_range": sweep.get("k_range"),
        "failed_ks": sweep.get("failed_ks", []),
        "ks": [
            {
                "k": candidate.get("k"),
                "status": candidate.get("status"),
                "silhouette": candidate.get("silhouette"),
                "wcss": candidate.get("wcss"),
                "cluster_sizes": candidate.get("cluster_sizes"),
                "training_job_name": candidate.get("training_job_name"),
                "reason": candidate.get("reason"),
            }
            for candidate in sweep.get("candidates", [])
        ],
    }


def headline(results: RunResults) -> dict[str, Any]:
    """The figures a person looks at first: k, the silhouette and the size of each cluster, and
    for a sweep the chosen k and every k's scores (what ``results --json`` prints)."""
    summary = results.summary
    figures: dict[str, Any] = {
        "k": summary.get("k"),
        "clusters_found": summary.get("clusters_found"),
        "customers": summary.get("customers"),
        "silhouette": summary.get("silhouette"),
        "cluster_sizes": {str(c.get("Name")): c.get("Customers") for c in summary.get("clusters", [])},
    }
    if results.sweep is not None:
        figures["chosen_k"] = results.chosen_k
        figures["sweep"] = sweep_headline(results.sweep)
    return figures


def sweep_lines(sweep: dict[str, Any]) -> list[str]:
    """A sweep as lines of text (``run --wait``): the rule and chosen k, then one line a k."""
    low, high = (sweep.get("k_range") or ["?", "?"])[:2]
    rule = sweep.get("rule")
    decided = (
        f" ({sweep.get('applied')} decided: {sweep.get('note')})" if sweep.get("applied") != rule else ""
    )
    lines = [f"Sweep k {low}-{high}, rule {rule}{decided}: chose k = {sweep.get('chosen_k')}"]
    for candidate in sweep.get("candidates", []):
        marker = "*" if candidate.get("k") == sweep.get("chosen_k") else " "
        if candidate.get("status") == "SUCCEEDED":
            silhouette = candidate.get("silhouette")
            shown = "n/a" if silhouette is None else f"{silhouette:.4f}"
            lines.append(
                f" {marker} k={candidate['k']:>2}  silhouette {shown}"
                f"  {WCSS_LABEL.lower()} {candidate.get('wcss', 0):,.1f}"
            )
        else:
            lines.append(f" {marker} k={candidate['k']:>2}  FAILED: {candidate.get('reason', '')}")
    return lines
