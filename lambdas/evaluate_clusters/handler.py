"""Lambda "rfm-studio-evaluate-clusters": score and name the clusters, write the run's results.

The "Evaluate clusters" state. It joins the batch-transform output (one JSON line a feature
row: ``{"closest_cluster": c, "distance_to_cluster": d}``, ``c`` possibly a float such as
``2.0``) with the RFM table by row order, checked against ``ids.csv``; computes the
silhouette on the features KMeans saw, and per cluster its size, revenue share, mean R/F/M
and standardised profile; gives each cluster a readable name from that profile; writes
``clusters.csv`` (one row a customer) and ``summary.json`` under the run prefix; and returns
the quality figure the "Good enough?" Choice compares with the threshold.

The silhouette is ``pipeline.workflows.clustering.quality.silhouette`` (numpy, not scikit-learn,
which Lambda's managed pandas layer lacks); above ``SILHOUETTE_SAMPLE`` customers it is computed
on a sample drawn with a fixed seed, which keeps the cost bounded (it is quadratic) and the
result repeatable, the same sample a sweep's "Score k" uses.

Event::

    {"RunPrefix": "s3://B/PREFIX/runs/<run>", "K": "5", "RfmUri": ..., "IdsUri": ...,
     "TrainUri": "s3://.../train/", "AssignmentsUri": "s3://.../assignments"}
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.clustering.layout import RunLayout
from pipeline.workflows.clustering.quality import SILHOUETTE_SAMPLE, silhouette

#: Column order of clusters.csv.
CLUSTER_COLUMNS = [
    "CustomerID",
    "Recency",
    "Frequency",
    "Monetary",
    "R",
    "F",
    "M",
    "Segment",
    "Cluster",
    "ClusterName",
    "DistanceToCentre",
    "Country",
]

#: (value tier, recency tier) -> cluster name. Value is the mean of the F and M scores, recency
#: the mean R score; each 1-5 mean is "low" below 2.33, "high" from 3.67, else "mid".
CLUSTER_NAMES: dict[tuple[str, str], str] = {
    ("high", "high"): "High-value loyal",
    ("high", "mid"): "High-value cooling",
    ("high", "low"): "High-value at risk",
    ("mid", "high"): "Mid-value active",
    ("mid", "mid"): "Mid-value steady",
    ("mid", "low"): "Mid-value lapsing",
    ("low", "high"): "New low-value",
    ("low", "mid"): "Low-value cooling",
    ("low", "low"): "Lapsed low-value",
}


def _tier(score: float) -> str:
    if score >= 11 / 3:
        return "high"
    if score >= 7 / 3:
        return "mid"
    return "low"


def name_clusters(profile: pd.DataFrame) -> dict[int, str]:
    """A readable, run-unique name per cluster from its mean R, F and M scores (1-5).

    ``profile`` is indexed by cluster with columns MeanR, MeanF, MeanM and Revenue. Clusters
    that land on the same name keep it in order of revenue, the later ones numbered ("#2").
    """
    names: dict[int, str] = {}
    ordered = profile.sort_values("Revenue", ascending=False)
    seen: dict[str, int] = {}
    for cluster, row in ordered.iterrows():
        value = _tier((row["MeanF"] + row["MeanM"]) / 2)
        base = CLUSTER_NAMES[(value, _tier(row["MeanR"]))]
        seen[base] = seen.get(base, 0) + 1
        names[int(cluster)] = base if seen[base] == 1 else f"{base} #{seen[base]}"
    return names


def read_assignments(storage: Storage, assignments_uri: str) -> pd.DataFrame:
    """The batch-transform output under ``assignments_uri``: columns Cluster (int), Distance.

    Reads every ``*.out`` object in key order (one per input file; this workflow has one).
    """
    prefix = assignments_uri.rstrip("/") + "/"
    outputs = [uri for uri in storage.list(prefix) if uri.endswith(".out")]
    if not outputs:
        raise DataError(
            f"The batch transform wrote no output under {prefix}: check the 'Assign clusters' step."
        )
    clusters: list[int] = []
    distances: list[float] = []
    for uri in outputs:
        for number, line in enumerate(storage.read_bytes(uri).decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                clusters.append(int(float(record["closest_cluster"])))
                distances.append(float(record["distance_to_cluster"]))
            except (ValueError, KeyError, TypeError) as error:
                raise DataError(
                    f"Line {number} of {uri} is not a KMeans assignment "
                    f'({{"closest_cluster": c, "distance_to_cluster": d}}): {error}'
                ) from None
    return pd.DataFrame({"Cluster": np.array(clusters, dtype="int64"), "Distance": np.array(distances)})


def read_features(storage: Storage, train_uri: str) -> np.ndarray:
    """The headerless feature rows under ``train_uri``, in key order (what KMeans was given)."""
    prefix = train_uri.rstrip("/") + "/"
    blocks = [
        np.loadtxt(io.BytesIO(storage.read_bytes(uri)), delimiter=",", ndmin=2)
        for uri in storage.list(prefix)
    ]
    if not blocks:
        raise DataError(f"No training features under {prefix}: check the 'Prepare RFM features' step.")
    return np.vstack(blocks)


def cluster_profile(table: pd.DataFrame, features: np.ndarray) -> pd.DataFrame:
    """Per cluster: size, revenue, shares, mean Recency/Frequency/Monetary, mean R/F/M scores and
    the standardised profile (mean of each feature, in standard deviations from the average)."""
    grouped = table.groupby("Cluster", sort=True)
    profile = grouped.agg(
        Customers=("CustomerID", "size"),
        Revenue=("Monetary", "sum"),
        MeanRecency=("Recency", "mean"),
        MeanFrequency=("Frequency", "mean"),
        MeanMonetary=("Monetary", "mean"),
        MeanR=("R", "mean"),
        MeanF=("F", "mean"),
        MeanM=("M", "mean"),
    )
    total_revenue = profile["Revenue"].sum()
    profile.insert(1, "CustomerShare", profile["Customers"] / profile["Customers"].sum())
    profile.insert(3, "RevenueShare", profile["Revenue"] / total_revenue if total_revenue else 0.0)
    standardised = pd.DataFrame(features, columns=["RecencyZ", "FrequencyZ", "MonetaryZ"])
    standardised["Cluster"] = table["Cluster"].to_numpy()
    return profile.join(standardised.groupby("Cluster").mean())


def evaluate(event: dict[str, Any], storage: Storage) -> dict[str, Any]:
    """Do the evaluate step for ``event`` on ``storage``; returns the step's payload."""
    try:
        run_prefix = event["RunPrefix"].rstrip("/")
        rfm_uri, ids_uri = event["RfmUri"], event["IdsUri"]
        train_uri, assignments_uri = event["TrainUri"], event["AssignmentsUri"]
    except KeyError as missing:
        raise DataError(
            f"The evaluate step needs {missing.args[0]} in its input: launch the run again."
        ) from None

    rfm = pd.read_parquet(io.BytesIO(storage.read_bytes(rfm_uri)))
    ids = pd.read_csv(io.BytesIO(storage.read_bytes(ids_uri)))["CustomerID"].to_numpy(dtype="int64")
    features = read_features(storage, train_uri)
    assignments = read_assignments(storage, assignments_uri)
    counts = {
        "RFM rows": len(rfm),
        "ids": len(ids),
        "feature rows": len(features),
        "assignments": len(assignments),
    }
    if len(set(counts.values())) != 1:
        detail = ", ".join(f"{count} {what}" for what, count in counts.items())
        raise DataError(f"The run's files do not line up ({detail}): run the workflow again.")
    if not np.array_equal(rfm["CustomerID"].to_numpy(dtype="int64"), ids):
        raise DataError("The RFM table and ids.csv list different customers: run the workflow again.")

    table = rfm.reset_index(drop=True).copy()
    table["Cluster"] = assignments["Cluster"].to_numpy()
    table["DistanceToCentre"] = assignments["Distance"].to_numpy()
    profile = cluster_profile(table, features)
    names = name_clusters(profile)
    profile.insert(0, "Name", pd.Series(names))
    table["ClusterName"] = table["Cluster"].map(names).astype("string")
    score = silhouette(features, table["Cluster"].to_numpy())
    sample = min(len(table), SILHOUETTE_SAMPLE)

    layout = RunLayout(run_prefix)
    clusters_uri, summary_uri = layout.clusters_uri, layout.summary_uri
    storage.write_bytes(clusters_uri, table[CLUSTER_COLUMNS].to_csv(index=False).encode("utf-8"))
    cluster_rows = [
        {"Cluster": int(cluster), **{k: _plain(v) for k, v in row.items()}}
        for cluster, row in profile.iterrows()
    ]
    summary = {
        "run_prefix": run_prefix,
        "customers": len(table),
        "k": int(event.get("K") or 0) or None,
        "clusters_found": len(profile),
        "silhouette": round(score, 4),
        "silhouette_sample_size": sample,
        "silhouette_sampled": sample < len(table),
        "clusters": cluster_rows,
        "clusters_uri": clusters_uri,
    }
    storage.write_bytes(summary_uri, json.dumps(summary, indent=2).encode("utf-8"))
    return {
        "silhouette": summary["silhouette"],
        "k": summary["k"],
        "customers": len(table),
        "clusters": [
            {"cluster": row["Cluster"], "name": row["Name"], "customers": row["Customers"]}
            for row in cluster_rows
        ],
        "clusters_uri": clusters_uri,
        "summary_uri": summary_uri,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return evaluate(event, default_storage())
