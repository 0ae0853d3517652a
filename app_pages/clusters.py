"""Clusters page: explore a succeeded run's clusters, and compare two runs side by side.

A finished run never changes, so everything drawn from it is cached by its execution ARN:
the results once per process (``st.cache_resource``, shared read-only), the figures and
downloads per ARN (``st.cache_data``). A widget change then reruns the page in a moment.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pipeline.analysis import cluster_compare
from pipeline.backends import backend_for_arn
from pipeline.errors import StudioError
from pipeline.views import cluster_charts
from pipeline.workflows.clustering.parameters import parameters_from_input
from ui.backend import active_backend_name, backend, backend_of
from ui.metrics import metric_row

log = logging.getLogger(__name__)

LAUNCH_PAGE = "app_pages/launch.py"
EXECUTIONS_PAGE = "app_pages/executions.py"
SELECTED_KEY = "selected_execution"


@dataclass(frozen=True)
class Run:
    """A succeeded run's results with what the page shows about it."""

    arn: str
    clusters: pd.DataFrame
    summary: dict[str, Any]
    threshold: float | None
    dataset: str


@st.cache_resource(max_entries=8, show_spinner="Reading the run's results…")
def load_run(arn: str) -> Run:
    """The results of the succeeded execution ``arn``, read once per process (they never change)."""
    chosen = backend_of(arn)
    description = chosen.describe(arn)
    execution_input = json.loads(description.get("input") or "{}")
    results = chosen.results(arn)
    return Run(
        arn=arn,
        clusters=results.clusters,
        summary=results.summary,
        threshold=parameters_from_input(execution_input).quality_threshold,
        dataset=str(execution_input.get("DatasetName", "")),
    )


@st.cache_data(max_entries=8, show_spinner="Drawing the clusters…")
def run_figures(arn: str) -> dict[str, go.Figure]:
    """The charts of one run that do not depend on a widget."""
    run = load_run(arn)
    shown = cluster_charts.sample_customers(run.clusters)
    return {
        "scatter": cluster_charts.rfm_scatter_3d(shown, total=len(run.clusters)),
        "sizes": cluster_charts.cluster_sizes(run.summary),
        "profiles": cluster_charts.cluster_profiles(run.summary),
    }


@st.cache_data(max_entries=16, show_spinner=False)
def segment_figure(arn: str, normalise: bool) -> go.Figure:
    """The cluster x RFM segment heatmap of one run, as counts or shares of each cluster."""
    return cluster_charts.cluster_segment_heatmap(load_run(arn).clusters, normalise)


@st.cache_data(max_entries=8, show_spinner=False)
def downloads(arn: str) -> tuple[bytes, bytes]:
    """The run's customers as CSV and its summary as JSON, for the download buttons."""
    run = load_run(arn)
    return (
        run.clusters.to_csv(index=False).encode("utf-8"),
        json.dumps(run.summary, indent=2).encode("utf-8"),
    )


@st.cache_data(max_entries=8, show_spinner="Comparing the runs…")
def comparison(arn_a: str, arn_b: str) -> tuple[cluster_compare.RunComparison, dict[str, go.Figure]]:
    """How the customers of run A were clustered in run B, with its charts."""
    a, b = load_run(arn_a), load_run(arn_b)
    result = cluster_compare.compare_runs(a.clusters, b.clusters)
    sizes = cluster_compare.sizes_side_by_side(a.summary, b.summary)
    return result, {
        "sizes": cluster_charts.sizes_comparison(sizes),
        "profiles": cluster_charts.profiles_comparison(a.summary, b.summary),
        "heatmap": cluster_charts.movement_heatmap(result.moves),
        "sankey": cluster_charts.movement_sankey(result.moves),
    }


@st.cache_data(ttl=15, show_spinner=False)
def aws_executions() -> list[dict[str, Any]]:
    """The aws executions, kept a few seconds: listing costs one API call per execution, and every
    widget change reruns the page. (Exceptions are not cached: a fixed setup shows at once.)"""
    return backend("aws").list_executions()


def list_runs(selected: str | None) -> list[dict[str, Any]]:
    """Executions of the local backend and, when chosen in the sidebar or selected, of AWS; newest
    first. AWS is not asked otherwise: a user without an account should not wait on it."""
    wanted_aws = active_backend_name() == "aws" or (selected and backend_for_arn(selected) == "aws")
    names = ["local"] + (["aws"] if wanted_aws else [])
    items: list[dict[str, Any]] = []
    for name in names:
        try:
            items += aws_executions() if name == "aws" else backend(name).list_executions()
        except StudioError as error:
            st.warning(f"Could not list the {name} executions: {error}")
        except Exception as error:  # never a traceback in the page
            log.exception("listing %s executions failed", name)
            st.warning(f"Could not list the {name} executions ({type(error).__name__}); see the server log.")
    return sorted(items, key=started_at, reverse=True)


def started_at(item: dict[str, Any]) -> float:
    """An execution's start as a POSIX timestamp (0 when unknown), to sort both backends' runs."""
    started = item.get("startDate")
    return started.timestamp() if hasattr(started, "timestamp") else 0.0


def run_label(item: dict[str, Any]) -> str:
    """How a run reads in the selectors: name, k, dataset and start time."""
    started = item.get("startDate")
    when = f" · {started:%Y-%m-%d %H:%M}" if hasattr(started, "strftime") else ""
    k = item.get("parameters", {}).get("k", "?")
    dataset = item.get("dataset") or "unnamed dataset"
    return f"{item['name']} · k={k} · {dataset}{when}"


def follow_choice() -> None:
    """The run picked here becomes the session's selected execution (the Executions page's too),
    so a note about an earlier selection that has no clusters goes away."""
    st.session_state[SELECTED_KEY] = st.session_state["clusters_run"]


def show_failure(error: Exception, what: str) -> None:
    """An expected failure as its message; anything else as a friendly line (the log has details)."""
    if isinstance(error, StudioError):
        st.error(str(error))
    else:
        log.exception("%s failed", what)
        st.error(
            f"{what.capitalize()} failed unexpectedly ({type(error).__name__}); "
            "the server log has the details."
        )


st.title("Clusters")

selected = st.session_state.get(SELECTED_KEY)
with st.spinner("Listing the executions…"):
    runs = list_runs(selected)
succeeded = {item["executionArn"]: item for item in runs if item.get("status") == "SUCCEEDED"}

if selected and selected not in succeeded:
    status = next((item.get("status") for item in runs if item["executionArn"] == selected), None)
    if status in {"RUNNING", "PENDING_REDRIVE"}:
        st.info("The execution you selected is still running: its clusters appear here once it succeeds.")
    elif status:
        st.warning(f"The execution you selected ended {status}, so it has no clusters.")
    if status:
        st.text(selected.rsplit(":", 1)[-1])
        st.page_link(EXECUTIONS_PAGE, label="Watch it on the Executions page", icon=":material/monitoring:")

if not runs:
    st.info("No executions yet: launch a clustering run, then explore its clusters here.")
    st.page_link(LAUNCH_PAGE, label="Launch a run", icon=":material/rocket_launch:")
    st.stop()
if not succeeded:
    st.info("No execution has succeeded yet: clusters appear here once a run succeeds.")
    st.page_link(EXECUTIONS_PAGE, label="See the executions", icon=":material/monitoring:")
    st.stop()

arns = list(succeeded)
arn = st.selectbox(
    "Succeeded run",
    arns,
    index=arns.index(selected) if selected in succeeded else 0,
    format_func=lambda a: run_label(succeeded[a]),
    key="clusters_run",
    on_change=follow_choice,
)
try:
    run = load_run(arn)
    figures = run_figures(arn)
except Exception as error:
    show_failure(error, "reading the run's results")
    st.stop()

summary = run.summary
metric_row(
    [
        ("Silhouette", f"{summary['silhouette']:.3f}"),
        ("Clusters (k)", f"{summary.get('clusters_found', summary.get('k'))}"),
        ("Customers", f"{summary['customers']:,}"),
        ("Quality threshold", f"{run.threshold:.2f}" if run.threshold is not None else "n/a"),
    ]
)
if summary.get("silhouette_sampled"):
    st.caption(
        "The silhouette was computed on a fixed-seed sample of "
        f"{summary['silhouette_sample_size']:,} customers."
    )
st.text(f"Dataset: {run.dataset or 'unnamed'}")

overview, customers, compare = st.tabs(["Clusters", "Customers", "Compare runs"])

with overview:
    st.plotly_chart(figures["scatter"], key="chart_scatter")
    if len(run.clusters) > cluster_charts.MAX_SCATTER_POINTS:
        st.caption(
            f"For a responsive chart the scatter draws about {cluster_charts.MAX_SCATTER_POINTS:,} "
            f"of the {len(run.clusters):,} customers, sampled per cluster with a fixed seed."
        )
    left, right = st.columns(2)
    left.plotly_chart(figures["sizes"], key="chart_sizes")
    right.plotly_chart(figures["profiles"], key="chart_profiles")
    normalise = st.toggle("Show each cluster's segments as shares", key="clusters_normalise")
    st.plotly_chart(segment_figure(arn, normalise), key="chart_segments")
    st.dataframe(
        cluster_charts.summary_table(summary),
        hide_index=True,
        column_config={
            "CustomerShare": st.column_config.NumberColumn("Customer share", format="percent"),
            "RevenueShare": st.column_config.NumberColumn("Revenue share", format="percent"),
            "Revenue": st.column_config.NumberColumn(format="%.0f"),
        },
        key="clusters_summary",
    )

with customers:
    cols = st.columns([2, 2])
    query = cols[0].text_input(
        "Search", placeholder="Customer ID, cluster, segment or country", key="clusters_search"
    )
    names = cols[1].multiselect(
        "Clusters", cluster_charts.cluster_names(summary), placeholder="All clusters", key="clusters_names"
    )
    shown = cluster_charts.filter_customers(run.clusters, query, names)
    st.caption(f"{len(shown):,} of {len(run.clusters):,} customers")
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "CustomerID": st.column_config.NumberColumn(format="%d"),
            "Monetary": st.column_config.NumberColumn(format="%.2f"),
            "DistanceToCentre": st.column_config.NumberColumn("Distance to centre", format="%.3f"),
        },
        key="clusters_customers",
    )
    csv, summary_json = downloads(arn)
    run_name = arn.rsplit(":", 1)[-1]
    cols = st.columns(2)
    cols[0].download_button(
        "Download all customers (CSV)",
        data=csv,
        file_name=f"clusters-{run_name}.csv",
        mime="text/csv",
        on_click="ignore",
        key="clusters_csv",
    )
    cols[1].download_button(
        "Download the summary (JSON)",
        data=summary_json,
        file_name=f"summary-{run_name}.json",
        mime="application/json",
        on_click="ignore",
        key="clusters_json",
    )

with compare:
    others = [a for a in arns if a != arn]
    if not others:
        st.info("Only one run has succeeded: launch another (another k, say) to compare them.")
        st.page_link(LAUNCH_PAGE, label="Launch another run", icon=":material/rocket_launch:")
    else:
        other = st.selectbox(
            "Compare with",
            others,
            index=None,
            placeholder="Choose a second run",
            format_func=lambda a: run_label(succeeded[a]),
            key="clusters_compare",
        )
        if other is not None:
            try:
                result, compare_figures = comparison(arn, other)
            except Exception as error:
                show_failure(error, "comparing the runs")
                result = None
            if result is not None:
                st.caption("Run A is the run chosen above; run B the one compared with it.")
                metric_row(
                    [
                        ("Customers in both runs", f"{result.shared:,}"),
                        ("Same cluster name", f"{result.same_name_share:.0%}"),
                        ("Agreement (adjusted Rand)", f"{result.agreement:.2f}"),
                        ("Only in A / only in B", f"{result.only_a:,} / {result.only_b:,}"),
                    ]
                )
                if result.shared == 0:
                    st.warning("The two runs have no customer in common, so no customer can be followed.")
                left, right = st.columns(2)
                left.plotly_chart(compare_figures["sizes"], key="chart_compare_sizes")
                right.plotly_chart(compare_figures["profiles"], key="chart_compare_profiles")
                left, right = st.columns(2)
                left.plotly_chart(compare_figures["heatmap"], key="chart_compare_moves")
                right.plotly_chart(compare_figures["sankey"], key="chart_compare_sankey")
                st.dataframe(
                    result.moves_long(),
                    hide_index=True,
                    column_config={
                        "ShareOfFrom": st.column_config.NumberColumn(
                            "Share of the A cluster", format="percent"
                        )
                    },
                    key="clusters_moves",
                )
