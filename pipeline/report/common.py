"""The report sections every workflow has: dataset and quality, RFM segments, the workflow graph
with step durations, and parameters with provenance.

Each function takes the gathered :class:`~pipeline.report.run_facts.RunFacts` (and what it
needs besides) and returns a :class:`~pipeline.report.page.Section`; text from data is
escaped by ``page``'s helpers, charts come from ``pipeline.views``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.report.page import Section, key_values, metrics, paragraph, table
from pipeline.report.run_facts import RunFacts, StoredDataset
from pipeline.views.execution_view import step_runs, timeline, timeline_figure, visit_name
from pipeline.views.graph_svg import workflow_svg
from pipeline.views.map_iterations import progress_labels, visit_labels
from pipeline.views.wording import AVG_FREQUENCY_LABEL, AVG_RECENCY_LABEL, REVENUE_LABEL, pounds
from pipeline.workflows.runs import failure_message


def _when(value: Any) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M:%S %Z}".strip() if value is not None else ""


def run_duration_seconds(description: dict[str, Any]) -> float | None:
    """Seconds from start to stop of a finished execution (None without a stop date)."""
    start, stop = description.get("startDate"), description.get("stopDate")
    if start is None or stop is None:
        return None
    return (pd.Timestamp(stop) - pd.Timestamp(start)).total_seconds()


def overview_section(facts: RunFacts, headline: list[tuple[str, str]]) -> Section:
    """What ran and how it ended, with the workflow's headline figures."""
    section = Section("Run overview")
    took = run_duration_seconds(facts.description)
    section.add(
        metrics(
            [
                ("Status", facts.status),
                ("Workflow", facts.spec.title),
                ("Duration", f"{took:,.1f} s" if took is not None else "n/a"),
                *headline,
            ]
        ),
        paragraph(facts.spec.purpose),
    )
    if facts.description.get("error") or facts.description.get("cause"):
        message = failure_message(facts.description.get("error"), facts.description.get("cause"))
        section.add(paragraph(f"The run ended {facts.status}: {message}", "fail"))
    return section


#: What the provenance's two dataset hashes are.
HASHES_NOTE = (
    "A run reads a Parquet copy of the loaded file (its transactions as parsed, stored once under its "
    "hash). Stored Parquet SHA-256 is that copy's hash, the one the run's input records; loaded file "
    "SHA-256 is the hash of the file as it was loaded (the app's ?dataset= value), known when this "
    "machine's dataset cache still holds that file's Parquet, byte for byte the stored copy."
)


def loaded_file_hash_text(dataset: StoredDataset) -> str:
    """The loaded file's SHA-256 (or each, when several files parsed to the same Parquet), or why unknown."""
    if dataset.loaded_hashes:
        return ", ".join(dataset.loaded_hashes)
    return "not known here: the run records only its Parquet copy, and this machine's cache has no file of it"


def dataset_section(facts: RunFacts) -> Section:
    """The dataset the run read and what cleaning made of it (the Data page's report)."""
    from pipeline.loading.cleaning import clean_transactions
    from pipeline.views.charts import cleaning_waterfall, revenue_by_month

    section = Section("Dataset and its quality")
    dataset = facts.dataset
    section.add(key_values([("Dataset", facts.dataset_name), ("Stored at", dataset.uri)]))
    if dataset.problem:
        section.add(paragraph(f"{dataset.problem} The dataset's quality cannot be shown.", "note"))
        return section
    clean, report = clean_transactions(dataset.transactions)
    section.add(
        metrics(
            [
                ("Rows read", f"{report.rows_read:,}"),
                ("Rows kept", f"{report.rows_kept:,}"),
                ("Customers", f"{report.customers:,}"),
                ("Countries", f"{report.countries:,}"),
                ("Revenue", pounds(report.revenue)),
            ]
        ),
        paragraph(
            f"Invoices from {report.first_invoice:%Y-%m-%d} to {report.last_invoice:%Y-%m-%d}. "
            "Rows are removed in this order, each counted once at the step that removes it."
        ),
    )
    removed = pd.DataFrame(
        [
            (reason, rows, rows / report.rows_read if report.rows_read else 0.0)
            for reason, rows in report.removed()
        ],
        columns=["Removed because", "Rows", "Share of rows read"],
    )
    section.add(table(removed, {"Share of rows read": lambda v: f"{v:.1%}"}))
    section.add_figure(cleaning_waterfall(report.rows_read, report.removed()))
    section.add_figure(revenue_by_month(clean))
    return section


def segments_section(rfm: pd.DataFrame, scope: str) -> Section:
    """The RFM segments of the customers the run scored: sizes, revenue, what each means."""
    from pipeline.analysis.rfm import SEGMENT_DESCRIPTIONS, segment_summary
    from pipeline.views.charts import segment_treemap

    section = Section("RFM segments")
    section.add(paragraph(f"{len(rfm):,} customers {scope}."))
    summary = segment_summary(rfm)
    shown = pd.DataFrame(
        {
            "Segment": summary["Segment"],
            "Customers": summary["Customers"],
            "Customer share": summary["CustomerShare"],
            REVENUE_LABEL: summary["Revenue"],
            "Revenue share": summary["RevenueShare"],
            AVG_RECENCY_LABEL: summary["MeanRecency"],
            AVG_FREQUENCY_LABEL: summary["MeanFrequency"],
            "What it means": [SEGMENT_DESCRIPTIONS.get(str(name), "") for name in summary["Segment"]],
        }
    )
    percent = lambda value: f"{value:.1%}"  # noqa: E731
    section.add(
        table(
            shown,
            {
                "Customer share": percent,
                REVENUE_LABEL: lambda v: f"{v:,.0f}",
                "Revenue share": percent,
                AVG_RECENCY_LABEL: lambda v: f"{v:,.0f}",
                AVG_FREQUENCY_LABEL: lambda v: f"{v:,.1f}",
            },
        )
    )
    section.add_figure(segment_treemap(rfm))
    return section


def workflow_section(facts: RunFacts) -> Section:
    """The workflow graph coloured by outcome with each state's time, the timeline and the steps."""
    section = Section("Workflow and step durations")
    steps = step_runs(facts.events, facts.status)
    section.add(
        paragraph(
            "Each box is a state of the Step Functions workflow, coloured by how it ended, with the time "
            "it took; dashed lines are the error paths (Catch)."
        ),
        f'<div class="graph">{workflow_svg(facts.definition, steps, progress_labels(facts.events))}</div>',
    )
    if not steps:
        section.add(paragraph("The history has no state: the run ended before its first step.", "note"))
        return section
    iterations = visit_labels(facts.events, facts.definition)  # the k sweep's "Train k (k=3)"
    rows = pd.DataFrame(
        {
            "Step": [visit_name(step, iterations) for step in steps],
            "Type": [step.state_type for step in steps],
            "Status": [step.status for step in steps],
            "Seconds": [step.duration_seconds for step in steps],
            "Error": [failure_message(step.error, step.cause) if step.error else "" for step in steps],
        }
    )
    section.add(table(rows, {"Seconds": lambda v: f"{v:,.2f}"}))
    section.add_figure(timeline_figure(timeline(steps, now=_stop_of(facts), iterations=iterations)))
    return section


def _stop_of(facts: RunFacts) -> Any:
    stop = facts.description.get("stopDate")
    return pd.Timestamp(stop).to_pydatetime() if stop is not None else None


#: The report's names for the parameters: the labels of Launch's fields (``ui/launch.py``,
#: ``ui/launch_regression.py``, ``ui/fields.py``), so a reader finds the setting where it was made;
#: the code names (``num_round``) stay in brackets where Launch shows them.
PARAMETER_LABELS = {
    "k": "Clusters (k)",
    "quality_threshold": "Quality threshold (silhouette)",
    "as_of": "As-of date",
    "country": "Country",
    "k_range": "k range",
    "pick": "Pick k by",
    "max_concurrency": "Max concurrency",
    "rmse_threshold": "RMSE threshold",
    "num_round": "Boosting rounds (num_round)",
    "max_depth": "Tree depth (max_depth)",
    "eta": "Learning rate (eta)",
    "feature_set": "Feature set",
    "instance_type": "Instance type",
    "instance_count": "Instance count",
}


def parameter_label(key: str) -> str:
    """A parameter's readable name: Launch's label, or for a key added later its words capitalised
    ("new_setting" -> "New setting") rather than the code name."""
    return PARAMETER_LABELS.get(key, key.replace("_", " ").capitalize())


#: What an unset parameter means, said instead of a blank cell.
UNSET_MEANS = {
    "as_of": "the day after the last invoice",
    "country": "all countries",
    "k_range": "none: one k",
}
#: Parameters of a k sweep alone: a run with one k never used them, so they are not listed.
SWEEP_ONLY = ("pick", "max_concurrency")


def shown_parameters(parameters: dict[str, Any]) -> list[tuple[str, Any]]:
    """The parameters as the report lists them: Launch's labels, what an unset one means, and no
    sweep settings for a run with one k (a fixed k=4 run listed "Pick k by: silhouette")."""
    swept = bool(parameters.get("k_range"))
    return [
        (parameter_label(key), UNSET_MEANS.get(key, "") if value is None else value)
        for key, value in parameters.items()
        if swept or "k_range" not in parameters or key not in SWEEP_ONLY
    ]


def provenance_section(facts: RunFacts) -> Section:
    """The run's parameters and where everything came from: names, backend, dataset hash, versions."""
    section = Section("Parameters and provenance")
    section.add("<h3>Parameters</h3>")
    parameters = facts.parameters.to_dict() if facts.parameters is not None else {}
    if parameters:
        section.add(key_values(shown_parameters(parameters)))
    else:
        section.add(paragraph("The execution input's parameters could not be read back.", "note"))
    section.add("<h3>Provenance</h3>")
    section.add(
        key_values(
            [
                ("Run name", facts.name),
                ("Execution ARN", facts.arn),
                ("State machine", facts.description.get("stateMachineArn", "")),
                ("Backend", facts.backend_name),
                ("Started", _when(facts.description.get("startDate"))),
                ("Stopped", _when(facts.description.get("stopDate"))),
                ("Dataset", facts.dataset_name),
                ("Loaded file SHA-256", loaded_file_hash_text(facts.dataset)),
                ("Stored Parquet SHA-256", facts.dataset.content_hash or "unknown"),
                ("Run files", facts.run_prefix),
                ("Report generated", _when(facts.generated)),
            ]
        ),
        paragraph(HASHES_NOTE, "note"),
    )
    section.add("<h3>Versions</h3>", key_values(sorted(facts.versions.items())))
    return section
