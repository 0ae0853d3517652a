"""The Clusters page's logic: which runs can be explored, their results, charts and comparison.

A finished run never changes, so everything drawn from it is cached by its execution ARN, once
per process (``st.cache_resource``, shared read-only: the page never changes them). With
``st.cache_data`` every hit unpickled the figures, and plotly re-validated each while doing so.
The customers' CSV is built when its download is clicked, not on every rerun. A widget change
then reruns the page in a moment.
The executions come from :mod:`ui.runs`, the listing the Executions page uses too.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pipeline.analysis import cluster_compare
from pipeline.backends.datasets import data_key
from pipeline.views import cluster_charts, cluster_html, compare_charts, compare_html, sweep_charts
from pipeline.views.csv_download import spreadsheet_safe_csv
from pipeline.views.wording import AVG_FREQUENCY_LABEL, AVG_MONETARY_LABEL, AVG_RECENCY_LABEL
from pipeline.workflows.clustering.parameters import parameters_from_input
from pipeline.workflows.clustering.spec import CLUSTERING
from ui import ahead, execution_list, runs, scene_component, shares
from ui.backend import backend_of
from ui.names import Key
from ui.runs import Listing, picker_label
from ui.segments import count_and_share
from ui.text import middle_truncated

_LOGGER = logging.getLogger(__name__)

#: Statuses of an execution that may still succeed (its clusters are not there yet).
STILL_GOING = {"RUNNING", "PENDING_REDRIVE"}


@dataclass(frozen=True)
class Run:
    """A succeeded run's results with what the page shows about it."""

    arn: str
    clusters: pd.DataFrame
    summary: dict[str, Any]
    threshold: float | None
    dataset: str
    #: The run's sweep record (``sweep.json``), None for a fixed-k run.
    sweep: dict[str, Any] | None = None
    #: The content hash its DataUri records (``datasets.data_key``): tells runs on other data apart.
    data_key: str | None = None

    @property
    def name(self) -> str:
        """The execution's name (the last part of its ARN)."""
        return self.arn.rsplit(":", 1)[-1]


def succeeded_runs(listing: Listing) -> dict[str, dict[str, Any]]:
    """The listed clustering executions that succeeded, by ARN, newest first: the runs with clusters."""
    return {
        item["executionArn"]: item
        for item in listing.items
        if item.get("status") == "SUCCEEDED" and item.get("workflow", CLUSTERING.name) == CLUSTERING.name
    }


def selection_note(listing: Listing, selected: str | None) -> tuple[str, str] | None:
    """Why the session's selected execution has no clusters, as (``"info"`` or ``"warning"``, text).

    None when nothing is selected, it succeeded, or it is not a listed clustering run.
    """
    if listing.workflow_of(selected) not in (None, CLUSTERING.name):
        return None
    status = listing.status_of(selected)
    if status is None or status == "SUCCEEDED":
        return None
    if status in STILL_GOING:
        return (
            "info",
            "The execution you selected is still running: its clusters appear here once it succeeds.",
        )
    return "warning", f"The execution you selected ended {status}, so it has no clusters."


def run_label(item: dict[str, Any]) -> str:
    """How a run reads in the selectors: its name and k (``ui.runs.picker_label``). A sweep says
    the k it chose and the range it tried (``k=2 of 2-10 swept``), as the Executions table's k
    column does; its ``k`` parameter is only the form's default, not the k it chose."""
    parameters = item.get("parameters") or {}
    k_range = parameters.get("k_range")
    if k_range:
        low, high = k_range
        chosen = execution_list.chosen_k(item["executionArn"]) if item.get("status") == "SUCCEEDED" else None
        swept = f"k swept {low}-{high}" if chosen is None else f"k={chosen} of {low}-{high} swept"
        return picker_label(item, swept)
    return picker_label(item, f"k={parameters.get('k', '?')}")


#: Characters of a dataset name in the compare picker: a long name is cut in its middle, keeping
#: its start and extension, so the run's name and k stay readable in the picker at 800 px.
COMPARE_DATASET_CHARS = 32


def compare_label(item: dict[str, Any]) -> str:
    """How a run reads in the "Compare with" picker: ``run_label`` and its dataset's name (the
    listing's ``dataset``, as the Executions table shows it), since comparing runs on different
    data is the first thing to notice. Plain text: Streamlit shows a selectbox option as typed, so
    a dataset name (user input) cannot become a link or markup there."""
    dataset = str(item.get("dataset") or "") or "unnamed dataset"
    return f"{run_label(item)} · {middle_truncated(dataset, COMPARE_DATASET_CHARS)}"


#: The page's part that shows the run chosen (a fragment: its figures, downloads and views), and
#: whether the page's last run showed a note above the box about a selection with no clusters.
RUN_PART_KEY = "clusters_run_part"
NOTE_SHOWN_KEY = "clusters_note_shown"


def note_shown(shown: bool) -> None:
    """Record whether this run of the page shows ``selection_note``'s note above the box."""
    runs.note_shown(NOTE_SHOWN_KEY, shown)


def follow_choice() -> None:
    """The box's callback: only the run's part reruns, or the page (``ui.runs.show_run_chosen``)."""
    runs.show_run_chosen(Key.CLUSTERS_RUN, RUN_PART_KEY, NOTE_SHOWN_KEY)


#: The page's views, one a tab (``st.tabs(..., on_change="rerun")``), only the open one drawn.
#: Streamlit 1.67 puts a hash of a Plotly figure into the chart's element id and the browser
#: remounts a chart whose id changed: with every view drawn, choosing another run remounted
#: every chart, the 3-D scatter's WebGL scene among them, 1.3-3.3 s at full scale
#: (benchmarks/README.md, "Round 9: Clusters, only the open view drawn"). The labels are short so
#: that the six tabs fit an 800 px window's main area: 453 of its 468 px ("Sizes and profiles"
#: took 511 and hid "Compare runs" behind a scroll).
SCATTER_VIEW = "3-D scatter"
SIZES_VIEW = "Profiles"
SEGMENTS_VIEW = "Segments"
SWEEP_VIEW = "Choice of k"
CUSTOMERS_VIEW = "Customers"
COMPARE_VIEW = "Compare runs"
#: The views in their order, the first open by default; ``SWEEP_VIEW`` only for a sweep run.
#: The sizes and profiles open first: they answer what a user asks first of a run (how many
#: customers and how much revenue each cluster holds, and what its customers are like) and they
#: are plain HTML, drawn in a moment (a run switch 0.15 s in pairs, round 16). The 3-D scatter,
#: the page's signature view, is one click away:
#: its WebGL scene takes ~1.6-2.5 s to draw whenever it is drawn, and as the default it would make
#: the page's opening and every run switch on it that slow for users who came for the figures.
VIEWS: tuple[str, ...] = (SIZES_VIEW, SCATTER_VIEW, SEGMENTS_VIEW, SWEEP_VIEW, CUSTOMERS_VIEW, COMPARE_VIEW)
#: The view tabs' widget key: its value is the open view's label. Also the address's parameter for
#: the open view (``/clusters?run=NAME&clusters_view=Customers``): the tabs are bound to it, so a
#: reload or a shared link opens the same view.
VIEW_KEY = "clusters_view"
#: The view last open, kept outside the tabs' widget state (which a run of another page clears).
LAST_VIEW_KEY = "clusters_last_view"
#: The labels of the view tabs the last full run drew (the sweep view comes and goes).
VIEW_LABELS_KEY = "clusters_view_labels"
#: The keys of the widgets in the views' fragments, kept while their view is closed.
VIEW_WIDGET_KEYS = (
    "clusters_normalise",
    "clusters_search",
    "clusters_names",
    "clusters_compare",
    "clusters_averages_open",
)
#: The Profiles view's expander of each cluster's average customer, drawn only while open.
AVERAGES_LABEL = "The average customer of each cluster"
AVERAGES_OPEN_KEY = "clusters_averages_open"
#: The Compare runs view's moves as a Sankey diagram and as a grid, each drawn only when opened.
SANKEY_LABEL = "The moves as a Sankey diagram"
SANKEY_OPEN_KEY = "clusters_sankey_open"
MOVES_LABEL = "Every move as a table (to sort or download)"
MOVES_OPEN_KEY = "clusters_moves_open"
#: The moves grid's share column, in percent points (``ui.shares``).
MOVES_SHARE_COLUMN = "ShareOfFrom"


def moves_rows(result: cluster_compare.RunComparison) -> pd.DataFrame:
    """Every move of the comparison as a row (``RunComparison.moves_long``), its share of the run-A
    cluster in percent points (``ui.shares``)."""
    return shares.in_percent_points(result.moves_long(), [MOVES_SHARE_COLUMN])


def view_labels(sweep: bool) -> list[str]:
    """The view tabs of a run: every view, the k sweep's only when the run was a sweep."""
    return [view for view in VIEWS if sweep or view != SWEEP_VIEW]


def keep_view_state(labels: list[str]) -> None:
    """Before the view tabs are drawn: keep the open view and the closed views' widget values.

    The tabs' element id includes their labels, so a run with the k sweep's view next to one
    without gives new tabs, which would open on the first view: the view that was open is set
    again when it is among the new labels. Streamlit forgets the value of a widget a run does not
    draw, and a closed view is not drawn: its fragments' widgets (the shares toggle, the search,
    the cluster filter, the run compared with) are written back to session state so they keep
    their values (Streamlit's own advice for widgets that are not always drawn).
    """
    state = st.session_state
    # The tabs' own state is forgotten once another page's run does not draw them: the view last
    # open is also kept under a key of its own, so coming back to Clusters opens it again.
    forgotten = VIEW_KEY not in state
    wanted = state.get(LAST_VIEW_KEY) if forgotten else state.get(VIEW_KEY)
    if forgotten:
        if wanted in labels:  # back from another page (a new session leaves it to the address)
            state[VIEW_KEY] = wanted
    elif state.get(VIEW_LABELS_KEY) != labels:
        # Tabs bound to the address keep a value the new labels lack (the k sweep's view of the
        # run before): the first view opens instead of none.
        state[VIEW_KEY] = wanted if wanted in labels else labels[0]
    if wanted in labels:
        state[LAST_VIEW_KEY] = wanted
    state[VIEW_LABELS_KEY] = labels
    for key in VIEW_WIDGET_KEYS:
        if key in state:
            state[key] = state[key]


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
        sweep=results.sweep,
        data_key=data_key(str(execution_input.get("DataUri", ""))),
    )


def run_metrics(run: Run) -> list[tuple[str, str]]:
    """The headline figures of a run for ``ui.metrics.metric_row``."""
    summary = run.summary
    return [
        ("Silhouette", f"{summary['silhouette']:.3f}"),
        ("Clusters (k)", _clusters_of(run)),
        ("Customers", f"{summary['customers']:,}"),
        ("Quality threshold", f"{run.threshold:.2f}" if run.threshold is not None else "n/a"),
    ]


@st.cache_resource(max_entries=8, show_spinner=False)
def profile_views(arn: str) -> tuple[str, str]:
    """The Profiles view of one run as HTML, its sizes' bars and its profiles' table
    (``pipeline.views.cluster_html``: two Plotly charts mounted on every run switch before)."""
    summary = load_run(arn).summary
    return cluster_html.sizes_html(summary), cluster_html.profiles_html(summary)


@st.cache_resource(max_entries=8, show_spinner="Drawing the clusters…")
def scatter_scene(arn: str) -> scene_component.Scene:
    """The run's 3-D RFM scatter over a per-cluster sample, built only when its view is opened
    (sampling and building it is the costliest of the run's figures), as the browser's scene is
    sent it."""
    run = load_run(arn)
    shown = cluster_charts.sample_customers(run.clusters)
    return scene_component.scene_of(cluster_charts.rfm_scatter_3d(shown, total=len(run.clusters)), arn)


#: Other runs' scenes built ahead once the 3-D view is open (the runs next to the one shown in the
#: box); well under the caches' 8 entries, so the run shown and a run compared stay cached.
SCENES_AHEAD = 3


def build_scenes_ahead(arns: list[str], shown: str) -> None:
    """Build the 3-D scenes of the runs next to ``shown`` in the box (``arns``) in the background
    (``ui.ahead``): the first switch to one of them on the 3-D view waited 0.2-0.4 s for its
    scene (benchmarks/README.md, round 21)."""
    ahead.build_ahead(scatter_scene, ahead.nearest(arns, shown, SCENES_AHEAD))


#: The 3-D scatter's fragment and its scene's key.
SCATTER_PART_KEY = "clusters_scatter_part"
SCATTER_KEY = "chart_scatter"


def spare_runs(arns: list[str], shown: str) -> list[str]:
    """The runs whose scenes the browser draws ahead behind the one shown, while the 3-D view is
    open: the runs next to ``shown`` in the box (``arns``), the ones a user picks next. A switch
    to one of them swaps in its scene, already drawn (``scene_component``'s spares)."""
    return ahead.nearest(arns, shown, scene_component.SPARES)


def scene_asked_for(allowed: list[str]) -> scene_component.Scene | None:
    """The scene of the run the browser asked for in this rerun (``scene_component.asked``), if it
    is one of ``allowed``: the request comes from the browser, so a request that names any other
    run, or anything else, gets None and builds nothing. None too for a run whose scene cannot be
    built: its view, once shown, says why."""
    asked = scene_component.asked(SCATTER_KEY)
    if asked is None or asked not in allowed:
        return None
    try:
        return scatter_scene(asked)
    except Exception:
        _LOGGER.debug("The scene of %s could not be built ahead", asked, exc_info=True)
        return None


def scene_drawn_ahead(arn: str) -> scene_component.Scene | None:
    """The scene of the run ``arn`` for its tab while the tab is closed, for the browser to draw
    ahead: None (the page is not kept waiting for it) until the browser asks for it, once idle
    (:func:`scene_asked_for`). Built in the background meanwhile (``ui.ahead``), so the request
    finds it built."""
    ahead.build_ahead(scatter_scene, [arn])
    return scene_asked_for([arn])


@st.cache_resource(max_entries=8, show_spinner=False)
def sweep_view(arn: str) -> tuple[go.Figure, pd.DataFrame, str] | None:
    """The run's k sweep (curve, one row a k, which rule chose which k) from its own sweep.json;
    None for a fixed-k run."""
    sweep = load_run(arn).sweep
    if sweep is None:
        return None
    return sweep_charts.sweep_curve(sweep), sweep_charts.sweep_table(sweep), sweep_charts.rule_note(sweep)


@st.cache_resource(max_entries=16, show_spinner=False)
def segment_view(arn: str, normalise: bool) -> str:
    """The cluster x RFM segment table of one run, as counts or shares of each cluster, in HTML
    (``pipeline.views.cluster_html.segments_html``: a Plotly heatmap mounted on every run switch
    and every turn of the toggle before; the run report keeps the heatmap)."""
    table = cluster_charts.segment_crosstab(load_run(arn).clusters, normalise)
    return cluster_html.segments_html(table, normalise)


#: The customers' text columns with few distinct values: sent as categories, each value once.
REPEATED_TEXT = ("Segment", "ClusterName", "Country")


@st.cache_resource(max_entries=8, show_spinner=False)
def customers_table(arn: str) -> pd.DataFrame:
    """The run's customers for the Customers view's grid, in the smallest types that hold them:
    each integer column downcast to fit its values, the repeated text as categories. The grid's
    data is sent whole on every run switch: 493 KB at 3,591 customers as read (64-bit integers,
    a string a row), 0.1 MB so (benchmarks/README.md, round 25). The downloads keep the run's
    own frame."""
    table = load_run(arn).clusters.copy()
    for column in table.select_dtypes("integer").columns:
        table[column] = pd.to_numeric(table[column], downcast="integer")
    for column in REPEATED_TEXT:
        if column in table.columns:
            table[column] = table[column].astype("category")
    return table


def customers_csv(arn: str) -> bytes:
    """The run's customers as CSV: the download button calls it when clicked (35,910 rows at 10x
    were written and handed to Streamlit's media store on every rerun before)."""
    return spreadsheet_safe_csv(load_run(arn).clusters)


@st.cache_resource(max_entries=8, show_spinner=False)
def summary_json(arn: str) -> bytes:
    """The run's summary as JSON, for its download button (small; bytes cannot be changed)."""
    return json.dumps(load_run(arn).summary, indent=2).encode("utf-8")


@st.cache_data(max_entries=8, show_spinner=False)
def report_html(arn: str) -> bytes:
    """The run's self-contained HTML report (``pipeline.report``), built once per run: a finished
    run never changes. The Download report button calls it only when clicked."""
    from pipeline.report.build import build_report

    return build_report(backend_of(arn), arn).html.encode("utf-8")


@dataclass(frozen=True)
class Comparison:
    """Two runs compared, as the Compare runs view draws them: the sizes, both profiles and the
    moves as HTML (``pipeline.views.compare_html``: three Plotly charts mounted on every choice
    before), the moves' Sankey diagram as a figure."""

    sizes: str
    profiles: str
    moves: str
    sankey: go.Figure


@st.cache_resource(max_entries=8, show_spinner="Comparing the runs…")
def comparison(arn_a: str, arn_b: str) -> tuple[cluster_compare.RunComparison, Comparison]:
    """How the customers of run A were clustered in run B, with its views."""
    a, b = load_run(arn_a), load_run(arn_b)
    result = cluster_compare.compare_runs(a.clusters, b.clusters)
    sizes = cluster_compare.sizes_side_by_side(a.summary, b.summary)
    return result, Comparison(
        sizes=compare_html.sizes_html(sizes),
        profiles=compare_html.profiles_html(a.summary, b.summary),
        moves=compare_html.moves_html(result.moves),
        sankey=compare_charts.movement_sankey(result.moves),
    )


#: How many comparisons of the run shown are built ahead while Compare runs is open.
COMPARISONS_AHEAD = 3


def build_comparisons_ahead(arns: list[str], shown: str) -> None:
    """Build the comparisons of ``shown`` with the runs next to it in the box (``arns``) in the
    background (``ui.ahead``), while the user is choosing one: the first choice of a run to compare
    with waited 0.1-0.2 s for its comparison (benchmarks/README.md, round 25)."""
    ahead.build_ahead(functools.partial(comparison, shown), ahead.nearest(arns, shown, COMPARISONS_AHEAD))


#: The Sankey diagram's node labels in each theme: the text colour of the page, not Streamlit's
#: lighter chart grey, which read faintly over the links in the light theme.
SANKEY_LABEL_COLOURS = {"light": "#1f2937", "dark": "#f3f4f6"}


def sankey_for_theme(sankey: go.Figure, theme: str | None) -> go.Figure:
    """A copy of the comparison's Sankey ``sankey`` (cached, shared: never changed) with its labels
    in the colour of the page's ``theme`` (``st.context.theme.type``; light when unknown)."""
    colour = SANKEY_LABEL_COLOURS.get(theme or "light", SANKEY_LABEL_COLOURS["light"])
    return go.Figure(sankey).update_traces(textfont_color=colour)


def comparison_metrics(result: cluster_compare.RunComparison, a: Run, b: Run) -> list[tuple[str, str]]:
    """The headline figures of a comparison for ``ui.metrics.metric_row``: each run's k and
    silhouette first (which run is better separated is the first question), then the moves.
    The same-name share and the agreement only when the runs share enough customers for them to
    mean something (``RunComparison.comparable``): on 3 customers the adjusted Rand read -0.50."""
    shown = [
        ("Clusters (k), A / B", f"{_clusters_of(a)} / {_clusters_of(b)}"),
        ("Silhouette, A / B", f"{a.summary['silhouette']:.3f} / {b.summary['silhouette']:.3f}"),
        ("Customers in both runs", f"{result.shared:,}"),
    ]
    if result.comparable:
        shown += [
            ("Same cluster name", f"{result.same_name_share:.0%}"),
            ("Agreement (adjusted Rand)", f"{result.agreement:.2f}"),
        ]
    return [*shown, ("Only in A / only in B", f"{result.only_a:,} / {result.only_b:,}")]


def different_data_warning(result: cluster_compare.RunComparison, a: Run, b: Run) -> str | None:
    """What the page warns when runs A and B were made on different datasets (by the content
    hash their inputs record, else by name: ``cluster_compare.different_data``); None when not.
    Raw text with dataset names (user input): the page shows it through ``ui.text.plain``."""
    if not cluster_compare.different_data(a.data_key, a.dataset, b.data_key, b.dataset):
        return None
    return (
        f"These runs were made on different data (run A on {a.dataset or 'an unnamed dataset'}, "
        f"run B on {b.dataset or 'an unnamed dataset'}), so the cluster movements only cover the "
        f"{result.shared:,} customers both contain."
    )


def too_few_shared_note(result: cluster_compare.RunComparison) -> str:
    """Why the page draws no agreement and no moves for runs that share too few customers."""
    customers = "customer" if result.shared == 1 else "customers"
    return (
        f"These runs share {result.shared:,} {customers} (run A has {result.shared + result.only_a:,}, "
        f"run B {result.shared + result.only_b:,}): too few to say how customers moved between their "
        "clusters. A comparison needs runs on the same customers: the same dataset, and the same "
        "country and as-of date, or one run's customers within the other's."
    )


def summary_table(summary: dict[str, Any]) -> pd.DataFrame:
    """One row a cluster as the page shows it: name, customers and revenue each with its share,
    as text with thousands separators. Three columns, so the table fits an 800 px window."""
    table = cluster_charts.summary_table(summary)
    if table.empty:
        return pd.DataFrame(columns=["Cluster", "Customers (share)", "Revenue £ (share)"])
    return pd.DataFrame(
        {
            "Cluster": table["Name"].astype(str),
            "Customers (share)": [
                count_and_share(n, share)
                for n, share in zip(table["Customers"], table["CustomerShare"], strict=True)
            ],
            "Revenue £ (share)": [
                count_and_share(revenue, share)
                for revenue, share in zip(table["Revenue"], table["RevenueShare"], strict=True)
            ],
        }
    )


#: A cluster's averages as the page shows them (summary column -> header, format).
AVERAGE_COLUMNS = {
    "MeanRecency": (AVG_RECENCY_LABEL, "{:,.0f}"),
    "MeanFrequency": (AVG_FREQUENCY_LABEL, "{:,.1f}"),
    "MeanMonetary": (AVG_MONETARY_LABEL, "{:,.0f}"),
    "MeanR": ("R score", "{:.1f}"),
    "MeanF": ("F score", "{:.1f}"),
    "MeanM": ("M score", "{:.1f}"),
}


def averages_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Each cluster's average customer (days since the last purchase, purchases, spend, RFM
    scores), formatted as text, one row a cluster in cluster order."""
    table = cluster_charts.summary_table(summary)
    shown = pd.DataFrame({"Cluster": table["Name"].astype(str)} if not table.empty else {"Cluster": []})
    for column, (header, form) in AVERAGE_COLUMNS.items():
        if column in table:
            shown[header] = [form.format(value) if pd.notna(value) else "" for value in table[column]]
    return shown


def _clusters_of(run: Run) -> str:
    """The number of clusters a run found (its k when the summary predates clusters_found)."""
    return str(run.summary.get("clusters_found", run.summary.get("k")))
