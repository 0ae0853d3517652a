"""Lambda "rfm-studio-prepare-rfm": raw transactions in, RFM table and KMeans features out.

The first state of the clustering workflow ("Prepare RFM features"). The same code runs on
AWS Lambda (S3 through boto3) and on the local backend (the local bucket): every read and
write goes through ``pipeline.storage.default_storage()``.

Event (built by the workflow from the execution input)::

    {"DataUri": "s3://B/.../raw/<hash>.parquet", "RunPrefix": "s3://B/PREFIX/runs/<run>",
     "K": "5", "AsOfDate": "" or "YYYY-MM-DD", "Country": "" or "United Kingdom",
     "Sweep": false, "KMin": 2, "KMax": 10, "PickRule": "silhouette"}

A sweep (``Sweep`` true) checks its range and rule instead of ``K`` and needs only its
smallest k to fit the customers; the payload's ``candidates`` (the ks the sweep's Map
iterates over) are ``KMin``..``KMax``, or ``[K]`` for a fixed-k run.

Writes under RunPrefix: ``rfm.parquet`` (one row a customer), ``train/features.csv`` (the
standardised features, headerless, the rows in the same order), ``ids.csv`` (CustomerID of
each feature row, to join the assignments back) and ``report.json`` (the cleaning report).
Returns the URIs the next states read through JSONPath, plus the counts the watch page shows.
Bad data raises ``DataError``: the workflow does not retry it and its message becomes the
execution's cause.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.clustering.checks import (
    customers_problem,
    k_problem,
    sweep_customers_problem,
    sweep_problems,
)
from pipeline.workflows.clustering.layout import RunLayout
from pipeline.workflows.run_data import json_safe, read_transactions


def run_uris(run_prefix: str) -> dict[str, str]:
    """Every object a run's prepare step writes or hands on, keyed as in the returned payload."""
    return RunLayout(run_prefix).prepare_uris()


def _requested_k(event: dict[str, Any]) -> int:
    raw = event.get("K", "")
    problem = k_problem(raw)
    if problem:
        raise DataError(problem)
    return int(str(raw).strip())


def requested_ks(event: dict[str, Any]) -> list[int]:
    """The ks the run will train: ``KMin``..``KMax`` for a sweep (checked as the launch checks
    them), else ``[K]``."""
    if not event.get("Sweep"):
        return [_requested_k(event)]
    low: Any = event.get("KMin")
    high: Any = event.get("KMax")
    problems = sweep_problems(low, high, event.get("PickRule") or "silhouette")
    if problems:
        raise DataError(" ".join(problems))
    return list(range(int(low), int(high) + 1))


def _features_csv(features: np.ndarray) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, features, fmt="%.10g", delimiter=",")
    return buffer.getvalue().encode("ascii")


def prepare(event: dict[str, Any], storage: Storage) -> dict[str, Any]:
    """Do the prepare step for ``event`` on ``storage``; returns the step's payload."""
    from pipeline.analysis.rfm import clustering_features, compute_rfm, default_as_of, filter_transactions
    from pipeline.loading.dataset import clean_transactions

    try:
        data_uri = event["DataUri"]
        run_prefix = event["RunPrefix"]
    except KeyError as missing:
        raise DataError(
            f"The prepare step needs {missing.args[0]} in its input: launch the run again."
        ) from None
    ks = requested_ks(event)
    country = (event.get("Country") or "").strip() or None
    as_of = (event.get("AsOfDate") or "").strip() or None

    transactions = read_transactions(storage, data_uri)
    clean, report = clean_transactions(transactions)
    if clean.empty:
        raise DataError(
            f"No customers left after cleaning the {report.rows_read:,} rows of {data_uri}: every row lacked "
            "a customer, was a cancellation or had no quantity or price. Use a dataset with customer IDs."
        )
    if country:
        clean = filter_transactions(clean, countries=country)
    rfm = compute_rfm(clean, as_of=as_of)
    customers = len(rfm)
    if event.get("Sweep"):  # the rules the launch checked, on this data
        problem = sweep_customers_problem(ks[0], customers, country)
    else:
        problem = customers_problem(ks[0], customers, country)
    if problem:
        raise DataError(problem)
    features = clustering_features(rfm)

    uris = run_uris(run_prefix)
    buffer = io.BytesIO()
    rfm.to_parquet(buffer, index=False)
    storage.write_bytes(uris["rfm_uri"], buffer.getvalue())
    storage.write_bytes(uris["features_uri"], _features_csv(features))
    ids = rfm[["CustomerID"]].to_csv(index=False).encode("ascii")
    storage.write_bytes(uris["ids_uri"], ids)
    report_dict = json_safe(report.to_dict())
    storage.write_bytes(uris["report_uri"], json.dumps(report_dict, indent=2).encode("utf-8"))

    as_of_used = (pd.Timestamp(as_of) if as_of else default_as_of(clean)).date().isoformat()
    return {
        **uris,
        "customers": customers,
        "transactions": len(clean),
        "k": None if event.get("Sweep") else ks[0],
        "candidates": ks,
        "country": country or "",
        "as_of": as_of_used,
        "report": report_dict,
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return prepare(event, default_storage())
