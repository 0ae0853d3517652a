"""Lambda "rfm-studio-pick-k": choose the sweep's k, record the whole curve, hand on its model.

The "Pick k" state after the sweep's Map. Its input is every iteration's record (one a k, in
k order: "Score k"'s payload, or "k failed"'s ``{"k", "status": "FAILED", "error", "cause"}``).
It applies the launch's rule (``pipeline.workflows.clustering.k_choice``: the highest
silhouette, or the elbow of the within-cluster sum of squares), writes ``sweep.json`` under the
run prefix (every k's record, the rule asked for and the one that decided, the chosen k) and
returns the chosen k's training job in the shape "Train KMeans" leaves in ``$.training``
(``TrainingJobName``, ``ModelArtifacts.S3ModelArtifacts``, ``HyperParameters.k``), so "Save
model" and "Evaluate clusters" read both paths the same way.

When no k could be trained and scored, it raises ``DataError`` listing why each failed: the
run fails with that cause (not retried: running the same sweep again cannot help).

Event::

    {"Candidates": [...], "PickRule": "silhouette" | "elbow", "KMin": 2, "KMax": 10,
     "RunPrefix": "s3://B/PREFIX/runs/<run>"}
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.errors import DataError
from pipeline.storage import Storage, default_storage
from pipeline.workflows.clustering.k_choice import FAILED, choose
from pipeline.workflows.clustering.layout import RunLayout

#: The longest failure reason kept a k (a failed training job's cause is its whole description).
REASON_CHARS = 300


def failure_reason(error: Any, cause: Any) -> str:
    """One readable line for a failed k: a Lambda's errorMessage, a job's FailureReason, or the cause."""
    text = str(cause or "")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        text = str(parsed.get("errorMessage") or parsed.get("FailureReason") or text)
    reason = f"{error}: {text}" if error and text else str(error or text or "no cause given")
    return reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 3] + "..."


def _record(candidate: dict[str, Any], distances: dict[int, float]) -> dict[str, Any]:
    record = dict(candidate)
    record["k"] = int(record["k"])
    if record.get("status") == FAILED:
        record["reason"] = failure_reason(record.get("error"), record.get("cause"))
    elif int(record["k"]) in distances:
        record["elbow_distance"] = distances[int(record["k"])]
    return record


def pick(event: dict[str, Any], storage: Storage) -> dict[str, Any]:
    """Do the "Pick k" step for ``event`` on ``storage``; returns the step's payload."""
    try:
        candidates = list(event["Candidates"])
        rule = str(event.get("PickRule") or "silhouette")
        layout = RunLayout(event["RunPrefix"])
    except (KeyError, TypeError) as missing:
        raise DataError(f"The pick step needs Candidates and RunPrefix in its input: {missing}.") from None
    if not candidates or not all(isinstance(c, dict) and "k" in c for c in candidates):
        raise DataError("The sweep returned no k to pick from: run the workflow again.")
    candidates.sort(key=lambda c: int(c["k"]))
    choice = choose(candidates, rule)
    if choice is None:
        reasons = "; ".join(
            f"k={int(c['k'])}: {failure_reason(c.get('error'), c.get('cause'))}"
            if c.get("status") == FAILED
            else f"k={int(c['k'])}: no silhouette (one cluster, or one customer a cluster)"
            for c in candidates
        )
        raise DataError(
            f"No k of the sweep {int(candidates[0]['k'])}-{int(candidates[-1]['k'])} could be trained "
            f"and scored: {reasons}. Fix what the first reason says, then launch again."
        )
    records = [_record(c, choice.elbow_distances) for c in candidates]
    chosen = next(r for r in records if r["k"] == choice.k)
    sweep = {
        "rule": choice.rule,
        "applied": choice.applied,
        "note": choice.note,
        "chosen_k": choice.k,
        "k_range": [event.get("KMin", records[0]["k"]), event.get("KMax", records[-1]["k"])],
        "failed_ks": [r["k"] for r in records if r.get("status") == FAILED],
        "candidates": records,
    }
    storage.write_bytes(layout.sweep_uri, json.dumps(sweep, indent=2).encode("utf-8"))
    return {
        "k": choice.k,
        "rule": choice.rule,
        "applied": choice.applied,
        "note": choice.note,
        "failed_ks": sweep["failed_ks"],
        "sweep_uri": layout.sweep_uri,
        "training": {
            "TrainingJobName": chosen["training_job_name"],
            "ModelArtifacts": {"S3ModelArtifacts": chosen["model_artifact"]},
            "HyperParameters": {"k": str(choice.k)},
        },
    }


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point (also what the local engine calls for this function)."""
    return pick(event, default_storage())
