"""Cached pipeline calls behind the Launch page: the workflow's views, preflight, Try k, launching.

Every widget change reruns the page, so what costs more than a few milliseconds is cached
by small keys: the workflow (definition, DOT graph, ASL JSON, CloudFormation template) by
backend name, preflight by backend name for a short while (the user can ask again), and
Try k by dataset hash and filters.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from pipeline.analysis import k_selection, rfm
from pipeline.backends.base import Backend, Check
from pipeline.views.graph import workflow_dot
from pipeline.workflows.registry import get_workflow, workflow_of
from ui.backend import backend
from ui.state import cleaned

#: How long a preflight result is reused before it is checked again on its own.
PREFLIGHT_TTL_SECONDS = 120


@dataclass(frozen=True)
class WorkflowView:
    """What the page shows of the workflow: built once per backend and process."""

    definition: dict[str, Any]
    dot: str
    asl_json: str
    template: str
    #: Why the view was built with placeholder settings (aws not configured), else "".
    placeholder_reason: str = ""


@st.cache_data(show_spinner="Building the workflow with the Step Functions SDK…")
def workflow_view(backend_name: str, workflow: str | None = None) -> WorkflowView:
    """The SDK-generated workflow of ``backend_name`` (``Backend.workflow_documents``): the
    backend's own definition and template, or, while it is not configured, the same workflow
    built with placeholders, ``placeholder_reason`` saying what is missing."""
    documents = backend(backend_name).workflow_documents(workflow)
    return WorkflowView(
        definition=documents.definition,
        dot=workflow_dot(documents.definition),
        asl_json=json.dumps(documents.definition, indent=2),
        template=documents.template,
        placeholder_reason=documents.placeholder_reason,
    )


@st.cache_data(ttl=PREFLIGHT_TTL_SECONDS, show_spinner="Checking the backend…")
def preflight(backend_name: str) -> list[Check]:
    """``backend.preflight()``, reused for a couple of minutes (on aws it calls several services)."""
    return list(backend(backend_name).preflight())


@st.cache_data(max_entries=16, show_spinner=False)
def k_table(content_hash: str, path: str, country: str | None, as_of: dt.date | None) -> pd.DataFrame:
    """``pipeline.analysis.k_selection.try_k`` on the clustering features of one (dataset, country, as-of).

    The features are the ones the workflow's prepare step computes from the same choice, so
    the silhouette here predicts the run's quality figure. Raises ``DataError`` when the
    choice leaves too few customers (errors are not cached).
    """
    clean, _ = cleaned(content_hash, path)
    window = rfm.filter_transactions(clean, country) if country else clean
    table = rfm.compute_rfm(window, pd.Timestamp(as_of) if as_of else None)
    return k_selection.try_k(rfm.clustering_features(table))


@st.cache_data(max_entries=32, show_spinner=False)
def data_facts(workflow: str, content_hash: str, path: str, scope: Any) -> Any:
    """What a run's first step will find in one dataset for ``scope`` (the workflow's
    ``data_scope`` of the parameters), cached: the same scoring as the step itself."""
    clean, _ = cleaned(content_hash, path)
    return get_workflow(workflow).data_facts(clean, scope)


def run_problem(content_hash: str, path: str, params: Any) -> str | None:
    """Why a run with ``params`` would fail on this dataset, or None if it would not.

    The workflow's own check (``WorkflowSpec.problems``), the one the backends apply at launch.
    """
    spec = workflow_of(params)
    facts = data_facts(spec.name, content_hash, path, spec.data_scope(params))
    problems = spec.problems(params, facts)
    return f"This run would fail: {' '.join(problems)}" if problems else None


def recheck(backend_name: str) -> None:
    """Forget what was learnt about a backend so the next run checks it afresh.

    On aws the backend object itself is rebuilt too: it reads its settings (environment and
    secrets) when made, so settings fixed since then only count after this.
    """
    preflight.clear()
    if backend_name != "local":
        workflow_view.clear()
        backend.clear()


def launch_run(
    chosen: Backend,
    dataset_path: Path,
    params: Any,
    *,
    dataset_name: str,
    progress: Callable[[str], None],
) -> str:
    """Upload the dataset and start an execution on ``chosen``; returns the execution ARN.

    The upload is its own step (content-addressed, so the launch's own upload then finds the
    file in place), so ``progress`` can tell the user which step is slow.
    """
    progress("Uploading dataset")
    chosen.upload(Path(dataset_path))
    progress("Starting execution")
    return chosen.launch(Path(dataset_path), params, dataset_name=dataset_name)
