"""Clusters page: explore a succeeded run's clusters, and compare two runs side by side."""

import functools

import streamlit as st

from pipeline.views import cluster_charts
from ui import clusters, deep_link, grid_ahead, runs, scene_component, shares
from ui.errors import show_error, show_warning
from ui.layout import CHART_WIDTH, MONEY, drawn_when_open, plotly, row
from ui.metrics import metric_row
from ui.names import Key, Page
from ui.page import end_page
from ui.state import get_active
from ui.text import plain

st.title("Clusters")

selected = st.session_state.get(Key.SELECTED_EXECUTION)
try:
    with st.spinner("Listing the executions…"):
        listing = runs.list_executions(selected)
except Exception as error:
    show_error(error, "Listing the executions")
    end_page()
for warning in listing.warnings:
    show_warning(warning)
link_problem = deep_link.apply_run_link(listing)  # /clusters?run=NAME opens that run's clusters
if link_problem:
    show_warning(link_problem)
selected = st.session_state.get(Key.SELECTED_EXECUTION)
succeeded = clusters.succeeded_runs(listing)

note = clusters.selection_note(listing, selected)
if note is not None:
    kind, text = note
    (st.info if kind == "info" else st.warning)(plain(text))
    st.text(selected.rsplit(":", 1)[-1])
    st.page_link(Page.EXECUTIONS, label="Watch it on the Executions page", icon=":material/monitoring:")
if not listing.items:
    st.info("No executions yet: launch a clustering run, then explore its clusters here.")
    st.page_link(Page.LAUNCH, label="Launch a run", icon=":material/rocket_launch:")
    end_page()
if not succeeded:
    st.info("No execution has succeeded yet: clusters appear here once a run succeeds.")
    st.page_link(Page.EXECUTIONS, label="See the executions", icon=":material/monitoring:")
    end_page()

arns = list(succeeded)
st.selectbox(
    "Succeeded run",
    arns,
    index=arns.index(runs.default_run(succeeded, selected, getattr(get_active(), "name", None))),
    format_func=lambda a: clusters.run_label(succeeded[a]),
    key=Key.CLUSTERS_RUN,
    on_change=clusters.follow_choice,  # reruns the run's part alone (run_part), or the page
)
clusters.note_shown(note is not None)


# The widgets below each change one part of the page: each part is a fragment, so a change reruns
# that part, not the 3-D scatter and the charts around it (bench_browser_pages times them).
@st.fragment
def segments_by_cluster(arn: str) -> None:
    """Each cluster's RFM segments, as counts or as shares of the cluster."""
    normalise = st.toggle("Show each cluster's segments as shares", key="clusters_normalise")
    st.html(clusters.segment_view(arn, normalise))  # plain HTML: see cluster_html.segments_html


@st.fragment
def customer_lookup(arn: str, run: clusters.Run, summary: dict) -> None:
    """Find customers by ID, cluster, segment or country; download every customer or the summary."""
    left, right = st.columns(2)
    query = left.text_input(
        "Search", placeholder="Customer ID, cluster, segment or country", key="clusters_search"
    )
    names = right.multiselect(
        "Clusters", cluster_charts.cluster_names(summary), placeholder="All clusters", key="clusters_names"
    )
    shown = cluster_charts.filter_customers(clusters.customers_table(arn), query, names)
    st.caption(f"{len(shown):,} of {len(run.clusters):,} customers")
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "CustomerID": st.column_config.NumberColumn(format="%d"),
            "ClusterName": st.column_config.TextColumn("Cluster name"),  # clusters.csv's column name
            "Monetary": st.column_config.NumberColumn("Monetary (£)", format=MONEY),
            "DistanceToCentre": st.column_config.NumberColumn("Distance to centre", format="%.3f"),
        },
        key="clusters_customers",
    )
    left, right = st.columns(2)
    left.download_button(
        "Download all customers (CSV)",
        data=functools.partial(clusters.customers_csv, arn),  # built when clicked
        file_name=f"clusters-{run.name}.csv",
        mime="text/csv",
        on_click="ignore",
        key="clusters_csv",
    )
    right.download_button(
        "Download the summary (JSON)",
        data=functools.partial(clusters.summary_json, arn),  # built when clicked: no file fetched ahead
        file_name=f"summary-{run.name}.json",
        mime="application/json",
        on_click="ignore",
        key="clusters_json",
    )


@st.fragment
def compare_runs(arns: list[str], arn: str, run: clusters.Run, succeeded: dict) -> None:
    """The run chosen above against a second one: sizes, profiles, and how customers moved."""
    others = [a for a in arns if a != arn]
    if not others:
        st.info("Only one run has succeeded: launch another (another k, say) to compare them.")
        st.page_link(Page.LAUNCH, label="Launch another run", icon=":material/rocket_launch:")
        return
    other = st.selectbox(
        "Compare with",
        others,
        index=None,
        placeholder="Choose a second run",
        format_func=lambda a: clusters.compare_label(succeeded[a]),  # names each run's dataset
        key="clusters_compare",
    )
    clusters.build_comparisons_ahead(arns, arn)  # the run chosen next finds its comparison made
    if other is None:
        return
    try:
        result, compared = clusters.comparison(arn, other)
        other_run = clusters.load_run(other)
    except Exception as error:
        show_error(error, "Comparing the runs")
        return
    different = clusters.different_data_warning(result, run, other_run)
    if different is not None:
        st.warning(plain(different))  # dataset names are user input
    st.caption("Run A is the run chosen above; run B the one compared with it.")
    metric_row(clusters.comparison_metrics(result, run, other_run))
    if not result.comparable:
        st.info(clusters.too_few_shared_note(result))
    # Each run's own cluster sizes and profiles (its summary, all its customers): drawn whatever
    # they share. Plain HTML, as the Profiles view (compare_html says why).
    with row():
        st.html(compared.sizes, width=CHART_WIDTH)
        st.html(compared.profiles, width=CHART_WIDTH)
    if not result.comparable:
        return  # no moves of a handful of customers drawn as if they told how the runs differ
    st.html(compared.moves)
    # The same moves as a diagram and as rows to sort or download, drawn when opened: the Sankey
    # diagram and the grid were most of a choice's time in the browser (benchmarks/README.md,
    # round 24). The moves need the width: "A: High-value cooling" labels on both sides.
    with drawn_when_open(clusters.SANKEY_LABEL, clusters.SANKEY_OPEN_KEY) as opened:
        if opened:
            plotly(
                clusters.sankey_for_theme(compared.sankey, st.context.theme.type), key="chart_compare_sankey"
            )
    with drawn_when_open(clusters.MOVES_LABEL, clusters.MOVES_OPEN_KEY) as opened:
        if opened:
            st.dataframe(
                clusters.moves_rows(result),
                hide_index=True,
                column_config={
                    "Customers": st.column_config.NumberColumn(format="localized"),  # 1,174 as above
                    clusters.MOVES_SHARE_COLUMN: shares.share_column("Share of the A cluster"),
                },
                key="clusters_moves",
            )


@st.fragment(key=clusters.SCATTER_PART_KEY)
def scatter_view(arns: list[str], arn: str, is_open: bool) -> None:
    """The 3-D scatter, in its tab whether the tab is open or not: a closed tab's scene is drawn
    ahead in the browser, so the tab opens on it, and an open tab's neighbours in the box are
    drawn ahead behind it, so a switch to one of them swaps its scene in (``scene_component``). A
    fragment: the browser's requests for figures (once idle) rerun this part alone."""
    spares = clusters.spare_runs(arns, arn)
    if not is_open:
        scene = clusters.scene_drawn_ahead(arn)
        scene_component.draw(scene, token=arn, shown=False, key=clusters.SCATTER_KEY, spares=spares)
        return
    try:
        scene = clusters.scatter_scene(arn)
    except Exception as error:
        show_error(error, "Drawing the clusters")
        return
    spare = clusters.scene_asked_for(spares)
    scene_component.draw(scene, token=arn, shown=True, key=clusters.SCATTER_KEY, spares=spares, spare=spare)
    clusters.build_scenes_ahead(arns, arn)  # the runs chosen next find their scene built
    total = len(clusters.load_run(arn).clusters)
    if total > cluster_charts.MAX_SCATTER_POINTS:
        st.caption(
            f"For a responsive chart the scatter draws about {cluster_charts.MAX_SCATTER_POINTS:,} "
            f"of the {total:,} customers, sampled per cluster with a fixed seed."
        )


def draw_view(view: str, arns: list[str], arn: str, run: clusters.Run, succeeded: dict) -> None:
    """The open view's charts and tables (only the open view is drawn: see ``clusters.VIEWS``), but
    for the 3-D scatter's, which ``scatter_view`` draws whether its tab is open or not."""
    summary = run.summary
    if view == clusters.SIZES_VIEW:
        # Plain HTML, not two Plotly charts mounted anew on every run switch (cluster_html says why).
        with row():
            for view_html in clusters.profile_views(arn):
                st.html(view_html, width=CHART_WIDTH)
        # Presentation tables that wrap (never cut at 800 px); every figure is in the JSON download.
        st.table(clusters.summary_table(summary), hide_index=True)
        with drawn_when_open(clusters.AVERAGES_LABEL, clusters.AVERAGES_OPEN_KEY) as opened:
            if opened:  # a closed expander's table was still drawn on every run switch
                st.table(clusters.averages_table(summary), hide_index=True)
    elif view == clusters.SEGMENTS_VIEW:
        segments_by_cluster(arn)
    elif view == clusters.SWEEP_VIEW:
        sweep = clusters.sweep_view(arn)
        if sweep is not None:
            curve, sweep_table, note = sweep
            st.caption(plain(note))
            plotly(curve, key="chart_sweep")
            st.dataframe(sweep_table, hide_index=True, key="clusters_sweep")
    elif view == clusters.CUSTOMERS_VIEW:
        customer_lookup(arn, run, summary)
    elif view == clusters.COMPARE_VIEW:
        compare_runs(arns, arn, run, succeeded)


@st.fragment(key=clusters.RUN_PART_KEY)
def run_part(arns: list[str], succeeded: dict) -> None:
    """Everything that shows the run chosen in the box: its figures, its report and its views.

    A fragment keyed ``clusters.RUN_PART_KEY``: a choice in the box reruns this part alone
    (``clusters.follow_choice``), not the page, whose navigation, sidebar and listing do not change
    with the run (Executions does the same since round 20); a view tab reruns it too. The run is
    read from the box's key, since a rerun of this part alone is given its last arguments."""
    arn = st.session_state[Key.CLUSTERS_RUN]
    deep_link.show_in_address(arn)  # a reload, or the address shared, opens this run again
    try:
        run = clusters.load_run(arn)
    except Exception as error:
        show_error(error, "Reading the run's results")
        return
    metric_row(clusters.run_metrics(run))
    summary = run.summary
    if summary.get("silhouette_sampled"):
        st.caption(
            "The silhouette was computed on a fixed-seed sample of "
            f"{summary['silhouette_sample_size']:,} customers."
        )
    st.text(f"Dataset: {run.dataset or 'unnamed'}")
    runs.report_button(functools.partial(clusters.report_html, arn), run.name, key="clusters_report")
    # One view a tab, only the open one drawn: choosing another run remounts the open view's
    # charts, not every chart of the page (benchmarks/README.md, round 9). The 3-D scatter's scene
    # is the one exception: it is drawn ahead in its closed tab, so the tab opens on it (round 23).
    labels = clusters.view_labels(sweep=run.sweep is not None)
    clusters.keep_view_state(labels)  # the open view stays open across a run switch
    # Bound to the address (``clusters_view=``): a reload or a shared link opens the same view.
    tabs = st.tabs(labels, key=clusters.VIEW_KEY, on_change="rerun", bind="query-params")
    for tab, label in zip(tabs, labels, strict=True):
        if label == clusters.SCATTER_VIEW:
            with tab:
                scatter_view(arns, arn, bool(tab.open))
        elif tab.open:
            with tab:
                try:
                    draw_view(label, arns, arn, run, succeeded)
                except Exception as error:
                    show_error(error, "Drawing the clusters")


run_part(arns, succeeded)
grid_ahead.load_grid_ahead(grid_ahead.CUSTOMERS_WIDGETS)  # Customers' and Compare runs' grids
