"""``python -m pipeline results RUN [--json]``: the headline figures of a succeeded run, either workflow.

RUN is the run name the app and ``list`` show, or the execution ARN.

Clustering: k, the clusters found, customers, the silhouette and each cluster's size.
Price regression: the RMSE on train, validation and test against the threshold, the test MAE
and R², the RMSE of always predicting the training mean, and the number of predictions. The
figures come from the run's result files (``WorkflowSpec.read_results``, then its
``headline``), on the backend the ARN names (local for a run name unless ``--backend``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pipeline.commands.run_lookup import add_run_argument, resolve_run

HELP = "Print the headline figures of a succeeded run (clustering or price regression); --json for scripts."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """RUN (name or ARN), the backend and --json."""
    add_run_argument(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


#: Words of a figure's key written as people write them.
_WORDS = {"rmse": "RMSE", "mae": "MAE", "r2": "R²"}


def _label(key: str) -> str:
    return " ".join(_WORDS.get(word, word) for word in key.split("_"))


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.5f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "-" if value is None else str(value)


def format_headline(figures: dict[str, Any]) -> list[str]:
    """One line a figure (``label: value``), a dict's entries indented under its label."""
    lines = []
    for key, value in figures.items():
        label = _label(key)
        if isinstance(value, dict):
            lines.append(f"{label}:")
            lines.extend(f"  {name}: {_text(item)}" for name, item in value.items())
        else:
            lines.append(f"{label}: {_text(value)}")
    return lines


def headline_lines(figures: dict[str, Any], results: Any) -> list[str]:
    """The figures as lines; a k sweep as its own table (the rule, the chosen k, one line a k)
    rather than its raw record, which ``--json`` prints."""
    figures = dict(figures)
    swept = figures.pop("sweep", None) is not None
    lines = format_headline(figures)
    record = getattr(results, "sweep", None)
    if swept and record is not None:
        from pipeline.workflows.clustering.results import sweep_lines

        lines += sweep_lines(record)
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the run's workflow, where its results are and its figures; 0, or 2 (StudioError) when
    the run did not succeed or its files are gone."""
    backend, arn = resolve_run(args.run, args.backend)
    spec = backend.workflow_of(arn)
    results = backend.results(arn)
    figures = spec.headline(results)
    if args.json:
        document = {
            "execution_arn": arn,
            "workflow": spec.name,
            "location": getattr(results, "location", ""),
            "figures": figures,
        }
        print(json.dumps(document, indent=2))
        return 0
    print(f"Execution: {arn}")
    print(f"Workflow:  {spec.name} ({spec.title})")
    print(f"Results:   {getattr(results, 'location', '')}")
    for line in headline_lines(figures, results):
        print(line)
    return 0
