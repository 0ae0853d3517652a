"""AppTest runs of the Clusters page, with finished local runs of the UCI sample.

The runs (k=3 and k=5 that succeed, one that fails its quality threshold) are made once for
the module in a data directory of their own; each test points RFM_STUDIO_HOME at it and clears
Streamlit's caches, since backends and results are cached per process. Expected figures come
from the runs' summary.json and clusters table (read through the backend), not from the page.
"""

from __future__ import annotations

import json
import threading

import pytest
from streamlit.testing.v1 import AppTest
from support.cluster_support import make_runs
from support.figure_support import values
from support.page_support import (
    APP,
    components_named,
    metrics_in_columns,
    profile_views,
    send_trigger,
    sidebar_backend,
    unescaped,
)
from support.streamlit_caches import fresh_caches  # noqa: F401 - autouse: no cached backends or results

from pipeline.views import cluster_charts
from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import clusters as clusters_ui
from ui import grid_ahead, scene_component
from ui import runs as runs_ui
from ui.names import RUN_QUERY_PARAM, Key, Page
from ui.streamlit_chunks import STREAMLIT_STATIC

CLUSTERS_PAGE = Page.CLUSTERS
RUN_TIMEOUT = 120


@pytest.fixture(scope="module")
def runs(sample_xlsx, tmp_path_factory):
    finished = make_runs(
        tmp_path_factory.mktemp("page-home"),
        sample_xlsx,
        {
            "k3": ClusteringParameters(k=3, quality_threshold=-1.0),
            "k5": ClusteringParameters(k=5, quality_threshold=-1.0),
            "failed": ClusteringParameters(k=3, quality_threshold=0.99),
        },
    )
    assert finished.descriptions["failed"]["status"] == "FAILED"
    assert set(finished.results) == {"k3", "k5"}, finished.descriptions
    return finished


@pytest.fixture
def with_runs(runs, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(runs.home))
    return runs


def open_page(selected: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if selected:
        at.session_state[Key.SELECTED_EXECUTION] = selected
    at.run()
    at.switch_page(CLUSTERS_PAGE).run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.main.metric}


def open_view(at: AppTest, view: str) -> AppTest:
    """Open the view tab ``view``, as a click on the tab does (the page reruns). The tabs are
    bound to the address, which the browser changes with the click: a bound parameter left as it
    was would win over the session state set here."""
    at.session_state[clusters_ui.VIEW_KEY] = view
    at.query_params[clusters_ui.VIEW_KEY] = view
    at.run()
    assert not at.exception
    return at


def scene_elements(at: AppTest) -> list:
    """The page's 3-D scene elements (``ui.scene_component``), not its other components'."""
    return components_named(at, scene_component.COMPONENT_NAME)


def chart_keys(at: AppTest) -> list[str]:
    """The keys of the charts the page sent: its Plotly charts in order, then its 3-D scenes in
    view (``ui.scene_component``; the element id ends with the key). The scene drawn ahead in its
    closed tab is not in view."""
    scenes = [scene for scene in scene_elements(at) if json.loads(scene.proto.json)["shown"]]
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in [*at.get("plotly_chart"), *scenes]]


def segment_views(at: AppTest) -> list[str]:
    """The bodies of the Segments view's clusters-by-segment tables (``cluster_html.segments_html``)."""
    return [
        element.proto.body for element in at.get("html") if 'class="cp cp-segments"' in element.proto.body
    ]


#: The Compare runs view's HTML parts, by what their body holds (``pipeline.views.compare_html``).
COMPARE_PARTS = {
    "sizes": "Cluster sizes in both runs",
    "profiles": "Cluster profiles, run A",
    "moves": 'class="cp cp-moves"',
}


def open_expanders(at: AppTest, *keys: str) -> None:
    """Open the expanders under ``keys``, as a click on each does (the part reruns)."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception and not at.error


def compare_views(at: AppTest) -> list[str]:
    """Which of the Compare runs view's HTML parts the page sent, in order."""
    bodies = [element.proto.body for element in at.get("html")]
    return [part for body in bodies for part, mark in COMPARE_PARTS.items() if mark in body]


def scene_sent(at: AppTest) -> tuple[str, dict]:
    """The page's one 3-D scene: its element id and the data it was sent."""
    [scene] = scene_elements(at)
    return scene.proto.id, json.loads(scene.proto.json)


def test_without_executions_the_page_points_to_the_launch_page():
    at = open_page()

    assert "No executions yet" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == ["Launch a run"]
    assert not at.get("plotly_chart") and not at.download_button
    assert sidebar_backend(at) == "Local engine (this machine)"  # the sidebar still renders


def test_a_succeeded_run_shows_its_quality_charts_table_and_downloads(with_runs):
    summary = with_runs.results["k3"].summary
    at = open_page(with_runs.arns["k3"])

    assert not at.error
    shown = metrics(at)
    assert shown["Silhouette"] == f"{summary['silhouette']:.3f}"
    assert shown["Clusters (k)"] == "3"
    assert shown["Customers"] == f"{summary['customers']:,}"
    assert shown["Quality threshold"] == "-1.00"
    assert chart_keys(at) == []  # the view open by default draws its figures as HTML
    sizes, profiles = profile_views(at)
    for cluster in summary["clusters"]:
        assert f"{cluster['CustomerShare']:.1%}" in sizes and f"{cluster['RevenueShare']:.1%}" in sizes
        assert f'<th scope="row">{cluster["Name"]}</th>' in profiles
        assert f"{cluster['FrequencyZ']:+.2f}</td>" in profiles
    (cluster_table,) = at.table  # the averages' expander is closed: its table is not drawn
    assert at.expander[0].label == clusters_ui.AVERAGES_LABEL
    at.session_state[clusters_ui.AVERAGES_OPEN_KEY] = True  # opened, as a click does
    at.run()
    cluster_table, averages = at.table
    assert list(cluster_table.value["Cluster"]) == [
        c["Name"] for c in sorted(summary["clusters"], key=lambda c: c["Cluster"])
    ]
    assert list(cluster_table.value["Customers (share)"]) == [
        f"{c['Customers']:,} ({c['CustomerShare']:.1%})"
        for c in sorted(summary["clusters"], key=lambda c: c["Cluster"])
    ]
    assert list(averages.value.columns)[:4] == [  # the Segments grid's and the report's headers
        "Cluster",
        "Avg. days since last purchase",
        "Avg. purchases",
        "Avg. spend (£)",
    ]
    assert len(averages.value) == 3
    averages_by_cluster = averages.value.set_index("Cluster")
    for cluster in summary["clusters"]:
        assert (
            averages_by_cluster.loc[cluster["Name"], "Avg. purchases"] == f"{cluster['MeanFrequency']:,.1f}"
        )

    open_view(at, clusters_ui.CUSTOMERS_VIEW)
    (customer_table,) = at.dataframe
    assert len(customer_table.value) == summary["customers"]
    headers = json.loads(customer_table.proto.columns)
    assert headers["ClusterName"]["label"] == "Cluster name"  # not the CSV's code name
    assert [button.label for button in at.download_button] == [
        "Download report (HTML)",
        "Download all customers (CSV)",
        "Download the summary (JSON)",
    ]


#: The charts each view of a fixed-k run sends (the customers' view has a grid, no chart).
VIEW_CHARTS = {
    clusters_ui.SIZES_VIEW: [],  # its sizes and profiles are HTML (pipeline.views.cluster_html)
    clusters_ui.SCATTER_VIEW: ["chart_scatter"],
    clusters_ui.SEGMENTS_VIEW: [],  # its clusters by segment are HTML (cluster_html.segments_html)
    clusters_ui.CUSTOMERS_VIEW: [],
    clusters_ui.COMPARE_VIEW: [],  # until a run to compare with is chosen
}


def test_the_views_are_tabs_and_only_the_open_views_charts_are_sent(with_runs):
    at = open_page(with_runs.arns["k3"])

    assert [tab.label for tab in at.tabs] == list(VIEW_CHARTS)  # no k sweep's view: a fixed k
    for view, charts in VIEW_CHARTS.items():
        open_view(at, view)
        assert not at.error
        assert chart_keys(at) == charts, view
        assert bool(at.dataframe) == (view == clusters_ui.CUSTOMERS_VIEW), view
        assert bool(at.table) == (view == clusters_ui.SIZES_VIEW), view
        assert bool(profile_views(at)) == (view == clusters_ui.SIZES_VIEW), view
        assert bool(segment_views(at)) == (view == clusters_ui.SEGMENTS_VIEW), view
        # above the views, whichever is open: the metrics and the report button
        assert metrics(at)["Clusters (k)"] == "3"
        assert at.download_button(key="clusters_report").label == "Download report (HTML)"


def test_the_open_view_stays_open_across_a_run_switch(with_runs):
    at = open_view(open_page(with_runs.arns["k3"]), clusters_ui.SEGMENTS_VIEW)

    at.selectbox(key=Key.CLUSTERS_RUN).set_value(with_runs.arns["k5"]).run()

    assert not at.exception and not at.error
    assert at.session_state[clusters_ui.VIEW_KEY] == clusters_ui.SEGMENTS_VIEW
    [table] = segment_views(at)
    for cluster in with_runs.results["k5"].summary["clusters"]:
        assert f'<th scope="col">{cluster["Name"]}</th>' in table  # the chosen run's clusters
    assert table.count('<th scope="col">') == 1 + 5
    assert metrics(at)["Clusters (k)"] == "5"


def test_the_view_left_is_open_again_when_the_user_comes_back_from_another_page(with_runs):
    at = open_view(open_page(with_runs.arns["k3"]), clusters_ui.SEGMENTS_VIEW)

    at.switch_page(Page.HOME).run()
    at.switch_page(CLUSTERS_PAGE).run()

    assert not at.exception and not at.error
    assert at.session_state[clusters_ui.VIEW_KEY] == clusters_ui.SEGMENTS_VIEW
    assert len(segment_views(at)) == 1


def test_a_closed_views_widgets_keep_their_values(with_runs):
    clusters = with_runs.results["k5"].clusters
    at = open_view(open_page(with_runs.arns["k5"]), clusters_ui.CUSTOMERS_VIEW)
    at.text_input(key="clusters_search").set_value("france").run()
    open_view(at, clusters_ui.SEGMENTS_VIEW)
    at.toggle(key="clusters_normalise").set_value(True).run()

    open_view(at, clusters_ui.SCATTER_VIEW)
    open_view(at, clusters_ui.CUSTOMERS_VIEW)

    assert at.text_input(key="clusters_search").value == "france"
    assert len(at.dataframe[0].value) == int((clusters["Country"] == "France").sum())
    open_view(at, clusters_ui.SEGMENTS_VIEW)
    assert at.toggle(key="clusters_normalise").value is True
    [table] = segment_views(at)
    assert "share of each cluster" in table


def test_the_k_sweeps_view_is_a_sweep_runs_only_and_the_open_view_outlives_it(
    sample_xlsx, tmp_path, monkeypatch
):
    poland = make_runs(
        tmp_path,
        sample_xlsx,
        {
            "sweep": ClusteringParameters(k_range=(2, 3), quality_threshold=-1.0, country="Poland"),
            "fixed": ClusteringParameters(k=2, quality_threshold=-1.0, country="Poland"),
        },
    )
    assert set(poland.results) == {"sweep", "fixed"}, poland.descriptions
    monkeypatch.setenv("RFM_STUDIO_HOME", str(poland.home))
    at = open_page(poland.arns["sweep"])
    assert [tab.label for tab in at.tabs] == clusters_ui.view_labels(sweep=True)
    # The picker says the k a sweep chose and the range it tried, never its k parameter (the
    # form's default, 5 here, which is not the k it chose).
    names = {label: arn.rsplit(":", 1)[-1] for label, arn in poland.arns.items()}
    chosen = poland.results["sweep"].summary["k"]
    assert sorted(at.selectbox(key=Key.CLUSTERS_RUN).options) == sorted(
        [f"{names['sweep']} · k={chosen} of 2-3 swept", f"{names['fixed']} · k=2"]
    )
    assert clusters_ui.SWEEP_VIEW in clusters_ui.view_labels(sweep=True)
    open_view(at, clusters_ui.SWEEP_VIEW)
    assert chart_keys(at) == ["chart_sweep"]

    open_view(at, clusters_ui.CUSTOMERS_VIEW)
    at.selectbox(key=Key.CLUSTERS_RUN).set_value(poland.arns["fixed"]).run()

    assert not at.exception and not at.error
    assert [tab.label for tab in at.tabs] == list(VIEW_CHARTS)  # new tabs, without the sweep's
    assert at.session_state[clusters_ui.VIEW_KEY] == clusters_ui.CUSTOMERS_VIEW  # still open
    assert len(at.dataframe[0].value) == poland.results["fixed"].summary["customers"]
    at.run()  # a switch reruns the run's part alone: AppTest's tree then lacks the box above it
    at.selectbox(key=Key.CLUSTERS_RUN).set_value(poland.arns["sweep"]).run()
    assert at.session_state[clusters_ui.VIEW_KEY] == clusters_ui.CUSTOMERS_VIEW
    assert at.dataframe and not at.get("plotly_chart")

    # The sweep's own view open, a fixed-k run has none: its first view opens instead.
    open_view(at, clusters_ui.SWEEP_VIEW)
    at.selectbox(key=Key.CLUSTERS_RUN).set_value(poland.arns["fixed"]).run()
    assert not at.exception and not at.error
    assert chart_keys(at) == VIEW_CHARTS[clusters_ui.VIEWS[0]]


def test_the_report_button_downloads_the_chosen_runs_report_built_once(with_runs, monkeypatch):
    import pipeline.report.build as report_build
    from ui import clusters

    builds = []
    real_build = report_build.build_report

    def counting_build(backend, arn):
        builds.append(arn)
        return real_build(backend, arn)

    monkeypatch.setattr(report_build, "build_report", counting_build)
    arn = with_runs.arns["k5"]
    at = open_page(arn)

    button = at.download_button(key="clusters_report")
    assert button.label == "Download report (HTML)"
    assert builds == []  # built when clicked, not when the page is drawn
    first, again = clusters.report_html(arn), clusters.report_html(arn)
    assert builds == [arn]  # once per run
    assert first == again
    html = first.decode("utf-8")
    assert f"Customer clustering report: {arn.rsplit(':', 1)[-1]}" in html
    for cluster in with_runs.results["k5"].summary["clusters"]:
        assert f"{cluster['Customers']:,} customers ({cluster['CustomerShare']:.0%})" in html


def test_the_run_selector_lists_only_succeeded_runs_and_defaults_to_the_selected_one(with_runs):
    at = open_page(with_runs.arns["k3"])

    selector = at.selectbox(key="clusters_run")
    assert selector.value == with_runs.arns["k3"]
    names = {label: arn.rsplit(":", 1)[-1] for label, arn in with_runs.arns.items()}
    # name (its start time in it) and k: short enough to read whole in the picker at 800 px
    assert sorted(selector.options) == sorted([f"{names['k3']} · k=3", f"{names['k5']} · k=5"])
    assert not any(names["failed"] in option for option in selector.options)


def test_the_chosen_run_is_in_the_address_so_a_reload_opens_it_again(with_runs):
    names = {label: arn.rsplit(":", 1)[-1] for label, arn in with_runs.arns.items()}
    at = open_page(with_runs.arns["k3"])
    assert at.query_params[RUN_QUERY_PARAM] == names["k3"]

    at.selectbox(key="clusters_run").select(with_runs.arns["k5"]).run()
    assert at.query_params[RUN_QUERY_PARAM] == names["k5"]

    reloaded = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)  # a new session, as a reload
    reloaded.run()
    reloaded.query_params[RUN_QUERY_PARAM] = names["k5"]
    reloaded.switch_page(CLUSTERS_PAGE).run()
    assert reloaded.selectbox(key="clusters_run").value == with_runs.arns["k5"]


def test_without_a_selected_run_the_picker_starts_on_the_newest_run_of_the_sessions_dataset():
    succeeded = {  # newest first, as the listing gives them
        "arn:theirs-new": {"dataset": "their shop.csv"},
        "arn:mine": {"dataset": "online_retail_sample_40k.xlsx"},
        "arn:mine-old": {"dataset": "online_retail_sample_40k.xlsx"},
    }
    assert runs_ui.default_run(succeeded, None, "online_retail_sample_40k.xlsx") == "arn:mine"
    assert runs_ui.default_run(succeeded, "arn:mine-old", "online_retail_sample_40k.xlsx") == "arn:mine-old"
    assert runs_ui.default_run(succeeded, None, "never run.csv") == "arn:theirs-new"
    assert runs_ui.default_run(succeeded, None, None) == "arn:theirs-new"
    assert runs_ui.default_run(succeeded, "arn:failed-elsewhere", None) == "arn:theirs-new"


def test_searching_a_country_filters_the_customer_table(with_runs):
    clusters = with_runs.results["k5"].clusters
    at = open_view(open_page(with_runs.arns["k5"]), clusters_ui.CUSTOMERS_VIEW)

    at.text_input(key="clusters_search").set_value("france").run()

    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == int((clusters["Country"] == "France").sum())
    assert set(table["Country"]) == {"France"}


def test_showing_segments_as_shares_redraws_the_heatmap(with_runs):
    at = open_view(open_page(with_runs.arns["k5"]), clusters_ui.SEGMENTS_VIEW)

    [counts] = segment_views(at)
    at.toggle(key="clusters_normalise").set_value(True).run()

    assert not at.exception and not at.error
    assert chart_keys(at) == []
    [shares] = segment_views(at)
    assert "Clusters by RFM segment (customers)" in counts and "%" not in counts.split("<tbody>")[1]
    assert "Clusters by RFM segment (share of each cluster)" in shares
    assert shares == clusters_ui.segment_view(with_runs.arns["k5"], True)


def test_comparing_two_runs_shows_the_shared_customers_and_the_moves(with_runs):
    customers = with_runs.results["k3"].summary["customers"]
    at = open_view(open_page(with_runs.arns["k3"]), clusters_ui.COMPARE_VIEW)

    picker = at.selectbox(key="clusters_compare")
    # each option names its run's dataset (tests/pages/test_page_clusters_compare_data.py: others)
    assert picker.options == [
        f"{with_runs.arns['k5'].rsplit(':', 1)[-1]} · k=5 · online_retail_sample_40k.xlsx"
    ]
    picker.set_value(with_runs.arns["k5"]).run()

    assert not at.exception and not at.error
    assert not at.warning and not at.info  # the same data, every customer shared: nothing to warn of
    shown = metrics(at)
    assert shown["Customers in both runs"] == f"{customers:,}"
    assert shown["Only in A / only in B"] == "0 / 0"
    assert "Agreement (adjusted Rand)" in shown and "Same cluster name" in shown
    assert compare_views(at) == ["sizes", "profiles", "moves"]  # HTML (pipeline.views.compare_html)
    # The moves as a Sankey diagram and as a grid are drawn when their expanders are opened.
    assert chart_keys(at) == [] and not at.dataframe
    assert [expander.label for expander in at.expander] == [clusters_ui.SANKEY_LABEL, clusters_ui.MOVES_LABEL]
    open_expanders(at, clusters_ui.SANKEY_OPEN_KEY, clusters_ui.MOVES_OPEN_KEY)
    assert chart_keys(at) == ["chart_compare_sankey"]
    [sankey] = at.get("plotly_chart")
    assert sum(json.loads(sankey.proto.spec)["data"][0]["link"]["value"]) == customers
    moves = at.dataframe[0].value
    assert int(moves["Customers"].sum()) == customers
    # Each run-A cluster's shares in percent points, shown with one decimal: "50.0%" beside "12.5%"
    # (Streamlit's "percent" format read "50%" beside "12.5%" and "3.33%").
    assert moves.groupby("From")["ShareOfFrom"].sum().to_numpy() == pytest.approx(100.0)
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["Customers"]["type_config"]["format"] == "localized"  # 1,174 as in the table above
    share = columns["ShareOfFrom"]
    assert share["label"] == "Share of the A cluster"
    assert share["type_config"]["format"] == "%.1f%%"


def test_the_comparisons_with_the_runs_next_to_the_one_shown_are_made_while_the_user_chooses(
    with_runs, monkeypatch
):
    # issue 10: the first choice of a run to compare with waited for its comparison to be made.
    from pipeline.analysis import cluster_compare
    from ui import ahead

    made: list[tuple[str, int, int]] = []
    real = cluster_compare.compare_runs

    def counted(a, b):
        made.append((threading.current_thread().name, len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(cluster_compare, "compare_runs", counted)
    k3, k5 = with_runs.arns["k3"], with_runs.arns["k5"]
    customers = with_runs.results["k3"].summary["customers"]

    at = open_view(open_page(k3), clusters_ui.COMPARE_VIEW)
    assert ahead.wait_until_idle()
    assert [thread.startswith(ahead.THREAD_PREFIX) for thread, _, _ in made] == [True]

    at.selectbox(key="clusters_compare").set_value(k5).run()
    assert not at.exception and not at.error
    assert metrics(at)["Customers in both runs"] == f"{customers:,}"
    assert ahead.wait_until_idle()
    assert len(made) == 1  # the choice found it made; asked again, it is not made twice

    # Another run shown: its own comparison with k3 is made ahead too (B against A, not A's).
    at.selectbox(key=Key.CLUSTERS_RUN).set_value(k5).run()
    assert ahead.wait_until_idle()
    assert [thread.startswith(ahead.THREAD_PREFIX) for thread, _, _ in made] == [True, True]
    assert clusters_ui.comparison(k5, k3)[0] is not clusters_ui.comparison(k3, k5)[0]


def test_the_comparison_shows_both_runs_k_and_silhouette(with_runs):
    a, b = with_runs.results["k3"].summary, with_runs.results["k5"].summary
    at = open_view(open_page(with_runs.arns["k3"]), clusters_ui.COMPARE_VIEW)

    at.selectbox(key="clusters_compare").set_value(with_runs.arns["k5"]).run()

    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["Clusters (k), A / B"] == f"{a['clusters_found']} / {b['clusters_found']}" == "3 / 5"
    assert shown["Silhouette, A / B"] == f"{a['silhouette']:.3f} / {b['silhouette']:.3f}"


def test_a_selected_run_that_failed_points_to_the_executions_page(with_runs):
    at = open_page(with_runs.arns["failed"])

    assert "ended FAILED" in at.warning[0].value
    assert "Watch it on the Executions page" in [link.label for link in at.get("page_link")]
    assert at.selectbox(key="clusters_run").value == with_runs.arns["k5"]  # the newest that succeeded


def test_unreadable_results_are_a_friendly_error_not_a_traceback(with_runs, monkeypatch):
    def broken(self, execution_arn):
        raise RuntimeError("bucket on fire")

    monkeypatch.setattr("pipeline.backends.local.LocalBackend.results", broken)
    at = open_page(with_runs.arns["k3"])

    assert not at.exception
    assert "failed unexpectedly (RuntimeError)" in unescaped(at.error[0].value)
    assert not at.get("plotly_chart")


def test_results_that_are_gone_show_the_backends_message(with_runs, monkeypatch):
    from pipeline.errors import WorkflowError

    def gone(self, execution_arn):
        raise WorkflowError("The run's results are not there: launch it again.")

    monkeypatch.setattr("pipeline.backends.local.LocalBackend.results", gone)
    at = open_page(with_runs.arns["k3"])

    assert not at.exception
    assert unescaped(at.error[0].value) == "The run's results are not there: launch it again."


def test_when_no_run_succeeded_the_page_points_to_the_executions_page(sample_xlsx, tmp_path, monkeypatch):
    failed = make_runs(tmp_path, sample_xlsx, {"failed": ClusteringParameters(k=3, quality_threshold=0.99)})
    monkeypatch.setenv("RFM_STUDIO_HOME", str(failed.home))

    at = open_page()

    assert "No execution has succeeded yet" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == ["See the executions"]
    assert not at.get("plotly_chart")


def test_aws_executions_that_cannot_be_listed_are_a_warning_and_local_runs_still_show(with_runs):
    # tests/conftest.py leaves no AWS credentials: listing on aws must fail politely
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.session_state[Key.BACKEND] = "aws"
    at.run()
    at.switch_page(CLUSTERS_PAGE).run()

    assert not at.exception
    assert "AWS executions are not listed" in at.warning[0].value
    assert len(at.selectbox(key="clusters_run").options) == 2


def test_picking_a_succeeded_run_replaces_the_note_about_a_failed_selection(with_runs):
    at = open_page(with_runs.arns["failed"])
    assert "ended FAILED" in at.warning[0].value

    at.selectbox(key="clusters_run").set_value(with_runs.arns["k3"]).run()

    assert not at.exception and not at.warning
    assert at.title  # the note is above the box: the page's own run, not the run's part alone
    assert at.session_state[Key.SELECTED_EXECUTION] == with_runs.arns["k3"]
    assert metrics(at)["Clusters (k)"] == "3"


def test_another_run_chosen_redraws_only_the_part_that_shows_it(with_runs):
    # issue 10: a run switch reran the page, its navigation, sidebar, listing and box, all the
    # same for every run (benchmarks/README.md, round 26). AppTest's tree holds what the run drew,
    # so an element missing from it was not redrawn.
    k3, k5 = with_runs.arns["k3"], with_runs.arns["k5"]
    at = open_view(open_page(k3), clusters_ui.CUSTOMERS_VIEW)
    assert at.title and at.sidebar.children and metrics(at)["Clusters (k)"] == "3"

    at.selectbox(key=Key.CLUSTERS_RUN).set_value(k5).run()

    assert not at.exception and not at.error
    assert not at.title and not at.sidebar.children  # the page's own run was not made
    assert Key.CLUSTERS_RUN not in [box.key for box in at.selectbox]  # nor the box redrawn
    assert metrics(at)["Clusters (k)"] == "5"  # the run's part: its figures ...
    assert at.session_state[clusters_ui.VIEW_KEY] == clusters_ui.CUSTOMERS_VIEW
    assert len(at.dataframe[0].value) == with_runs.results["k5"].summary["customers"]  # ... its view
    assert at.query_params[RUN_QUERY_PARAM] == k5.rsplit(":", 1)[-1]  # ... and the page's link to it
    assert at.session_state[Key.SELECTED_EXECUTION] == k5  # Executions shows it too

    at.run()  # the whole page again: it agrees with what the switch drew
    assert at.title and at.selectbox(key=Key.CLUSTERS_RUN).value == k5
    assert metrics(at)["Clusters (k)"] == "5" and at.dataframe


def test_run_and_comparison_metrics_wrap_instead_of_cutting_values_off(with_runs):
    at = open_view(open_page(with_runs.arns["k3"]), clusters_ui.COMPARE_VIEW)
    at.selectbox(key="clusters_compare").set_value(with_runs.arns["k5"]).run()

    assert "Agreement (adjusted Rand)" in metrics(at)
    assert metrics_in_columns(at.main) == []


def test_the_3d_scatter_is_one_scene_sent_each_runs_figure(with_runs):
    # Streamlit names a Plotly chart by its figure, so each run's scatter was a new WebGL scene
    # in the browser (0.5-1.6 s). The scene is one component keyed once (ui.scene_component):
    # another run is the same element, sent that run's figure.
    k3, k5 = with_runs.arns["k3"], with_runs.arns["k5"]
    at = open_view(open_page(k3), clusters_ui.SCATTER_VIEW)
    first_id, first = scene_sent(at)

    at.selectbox(key=Key.CLUSTERS_RUN).set_value(k5).run()
    assert not at.exception and not at.error
    second_id, second = scene_sent(at)

    assert second_id == first_id
    assert (first["token"], second["token"]) == (k3, k5)
    assert first["plotly"] == second["plotly"] == scene_component.plotly_chunk()
    for sent, key in ((first, "k3"), (second, "k5")):
        figure = json.loads(sent["figure"])
        every_customer = with_runs.results[key].clusters
        shown = cluster_charts.sample_customers(every_customer)  # the view's fixed-seed sample
        placed = shown[["Recency", "Frequency", "Monetary"]].gt(0).all(axis=1)
        assert {trace["name"] for trace in figure["data"]} == set(shown["ClusterName"].astype(str))
        assert sum(len(values(trace["x"])) for trace in figure["data"]) == placed.sum()
        assert figure["layout"]["scene"]["xaxis"]["type"] == "log"
        assert sent["alt"].startswith("Customers by R, F and M (log axes)")
        assert f"of {len(every_customer):,} customers" in sent["alt"]
        assert f"{(~placed).sum():,} with a zero value not drawn" in sent["alt"]
    assert not at.get("plotly_chart")


def ask_for_scene(at: AppTest, value: str) -> None:
    """Rerun ``at`` as the browser does when it asks for the closed tab's scene (the scene's
    ``wanted`` trigger, with the run it was sent), or with any value a browser could send."""
    [scene] = scene_elements(at)
    send_trigger(at, scene, value, event="wanted")
    assert not at.exception


def test_the_scatter_is_drawn_ahead_in_its_closed_tab_and_the_next_runs_scenes_on_its_view(
    with_runs, monkeypatch
):
    # issue 10: the scatter's first opening in a tab took 2.4 s without a GPU, most of it making
    # the WebGL scene; a switch to a run whose scene was not built waited for it.
    from ui import ahead

    built: list[tuple[str, int]] = []
    real = cluster_charts.rfm_scatter_3d

    def counted(shown, *args, **kwargs):
        built.append((threading.current_thread().name, kwargs.get("total", 0)))
        return real(shown, *args, **kwargs)

    def in_background() -> list[bool]:
        return [thread.startswith(ahead.THREAD_PREFIX) for thread, _ in built]

    monkeypatch.setattr(cluster_charts, "rfm_scatter_3d", counted)
    k3, k5 = with_runs.arns["k3"], with_runs.arns["k5"]

    # Profiles, the view the page opens on: the scene is in its closed tab, with no figure yet
    # (the page does not wait for it), and the run's figure is built in the background.
    at = open_page(k3)
    scene_id, sent = scene_sent(at)
    assert (sent["shown"], sent["figure"], sent["token"]) == (False, None, k3)
    assert sent["plotly"] == scene_component.plotly_chunk()
    assert chart_keys(at) == []
    assert ahead.wait_until_idle()
    assert in_background() == [True]

    # The browser, once idle, asks for it: the figure comes, the one built ahead.
    ask_for_scene(at, k3)
    _, sent = scene_sent(at)
    figure_k3 = clusters_ui.scatter_scene(k3).figure_json
    assert (sent["shown"], sent["figure"], sent["token"]) == (False, figure_k3, k3)
    assert sent["alt"].startswith("Customers by R, F and M (log axes)")
    assert in_background() == [True]

    # What the browser sends is checked: a run other than the one shown, or anything else, gets
    # no figure and builds nothing.
    for value in (k5, "<img src=x onerror=alert(1)>", ""):
        ask_for_scene(at, value)
        assert scene_sent(at)[1]["figure"] is None, value
    assert ahead.wait_until_idle()
    assert in_background() == [True]

    # The tab opened: the same element is shown, sent the same figure (the browser drew it).
    at = open_view(at, clusters_ui.SCATTER_VIEW)
    view_id, sent = scene_sent(at)
    assert view_id == scene_id
    assert (sent["shown"], sent["figure"], sent["token"]) == (True, figure_k3, k3)
    # ... and the next run's scene (k5) is built ahead.
    assert ahead.wait_until_idle()
    assert in_background() == [True, True]

    at.selectbox(key=Key.CLUSTERS_RUN).set_value(k5).run()
    assert not at.exception and not at.error
    assert scene_sent(at)[1]["token"] == k5
    assert ahead.wait_until_idle()
    assert len(built) == 2  # k5's scene was there; k3's still is

    # Back on Profiles, another run: the tab closed again, no figure until the browser asks.
    at = open_view(at, clusters_ui.SIZES_VIEW)
    at.selectbox(key=Key.CLUSTERS_RUN).set_value(k3).run()
    assert scene_sent(at) == (scene_id, {**sent, "figure": None, "alt": "", "shown": False, "token": k3})
    ask_for_scene(at, k3)
    assert scene_sent(at)[1]["figure"] == figure_k3
    assert len(built) == 2


def test_the_runs_next_to_the_one_shown_are_sent_for_the_browser_to_draw_ahead(with_runs):
    # issue 10: a run switch on the 3-D view updated its one scene in place, 0.1-0.2 s of WebGL
    # in software. The runs next to the one shown in the box are drawn ahead behind it, each in
    # a scene of its own, so that a switch swaps one in: the page names them ("spares") and sends
    # the figure of the one the browser asks for, once idle.
    k3, k5 = with_runs.arns["k3"], with_runs.arns["k5"]
    at = open_view(open_page(k3), clusters_ui.SCATTER_VIEW)
    scene_id, sent = scene_sent(at)
    k3_figure = clusters_ui.scatter_scene(k3).figure_json
    assert (sent["token"], sent["figure"], sent["spares"], sent["spare"]) == (k3, k3_figure, [k5], None)

    ask_for_scene(at, k5)
    view_id, sent = scene_sent(at)
    assert view_id == scene_id
    assert (sent["token"], sent["figure"]) == (k3, k3_figure)  # the run shown stays shown
    spare = json.loads(sent["spare"]["figure"])
    assert sent["spare"]["token"] == k5
    assert sent["spare"]["figure"] != k3_figure
    k5_shown = cluster_charts.sample_customers(with_runs.results["k5"].clusters)  # the view's sample
    assert {trace["name"] for trace in spare["data"]} == set(k5_shown["ClusterName"].astype(str))
    assert len(spare["data"]) == 5
    assert sent["spare"]["alt"].startswith("Customers by R, F and M (log axes)")

    # The request comes from the browser: the run shown, markup, nothing or a run not listed get
    # no spare. Nor does a rerun the browser did not ask for.
    for value in (k3, "<img src=x onerror=alert(1)>", "", k5 + "x"):
        ask_for_scene(at, value)
        assert scene_sent(at)[1]["spare"] is None, value
    at.run()
    assert scene_sent(at)[1]["spare"] is None

    # Another run shown: the run left is its neighbour, the one drawn ahead next.
    at.selectbox(key=Key.CLUSTERS_RUN).set_value(k5).run()
    assert not at.exception and not at.error
    _, sent = scene_sent(at)
    assert (sent["token"], sent["spares"], sent["spare"]) == (k5, [k3], None)

    # A closed tab names them too (the browser keeps the scenes it has), but draws none ahead:
    # a request gets the closed tab's own run only.
    at = open_view(at, clusters_ui.SIZES_VIEW)
    ask_for_scene(at, k3)
    _, sent = scene_sent(at)
    assert (sent["shown"], sent["spares"], sent["spare"], sent["figure"]) == (False, [k3], None, None)


def test_the_browser_draws_at_most_spares_scenes_ahead():
    # Each spare is a WebGL scene of its own in the browser: the page names the nearest ones only.
    runs = [f"r{number}" for number in range(6)]
    assert clusters_ui.spare_runs(runs, "r2") == ["r3", "r1", "r4"]
    assert clusters_ui.spare_runs(runs, "r0") == ["r1", "r2", "r3"]
    assert clusters_ui.spare_runs(runs[:4], "r3") == ["r2", "r1", "r0"]  # four runs: every other one
    assert len(clusters_ui.spare_runs(runs, "r2")) == scene_component.SPARES
    assert clusters_ui.spare_runs(["r0"], "r0") == []


def test_the_page_ends_with_the_element_that_loads_the_grids_code_ahead(with_runs, monkeypatch):
    # Profiles has no grid: Customers' first opening in a new tab waited for Streamlit's grid code
    # (0.34-0.41 s, 0.24-0.27 s with it loaded ahead; benchmarks/README.md, round 27).
    at = open_page(with_runs.arns["k3"])

    names = [element.proto.component_name for element in at.get("bidi_component")]
    assert [name.endswith(grid_ahead.COMPONENT_NAME) for name in names] == [False, True]  # the scene, then it
    [element] = components_named(at, grid_ahead.COMPONENT_NAME)
    files = json.loads(element.proto.json)
    assert files == grid_ahead.files_ahead(grid_ahead.CUSTOMERS_WIDGETS)
    assert len(files["chunks"]) == 3 and len(files["styles"]) == 1  # the grid's, then its widgets'
    assert all((STREAMLIT_STATIC / path).is_file() for path in files["chunks"] + files["styles"])

    monkeypatch.setattr(grid_ahead, "grid_chunk", lambda: None)  # a Streamlit without the chunk
    at = open_page(with_runs.arns["k3"])
    assert not at.exception
    assert len(at.get("bidi_component")) == 1 == len(scene_elements(at))


def test_without_streamlits_plotly_chunk_the_scatter_is_a_plotly_chart(with_runs, monkeypatch):
    monkeypatch.setattr(scene_component, "plotly_chunk", lambda: None)
    at = open_page(with_runs.arns["k3"])
    assert not scene_elements(at) and not at.get("plotly_chart")  # no scene drawn ahead

    at = open_view(at, clusters_ui.SCATTER_VIEW)

    assert not at.exception and not at.error
    assert not scene_elements(at)
    [chart] = at.get("plotly_chart")
    assert chart.proto.id.endswith("chart_scatter")
    assert json.loads(chart.proto.spec)["layout"]["scene"]["zaxis"]["type"] == "log"


def test_the_scene_imports_streamlits_own_plotly():
    # The script imports this chunk when no chart of the tab has, and draws with the Plotly.js it
    # puts on the window: a Streamlit upgrade that renames the chunk or drops the global would
    # leave the view blank, so the installed one is checked.
    chunk = scene_component.plotly_chunk()
    assert chunk is not None and chunk.startswith("static/js/PlotlyChart.") and chunk.endswith(".js")
    text = (STREAMLIT_STATIC / chunk).read_text(encoding="utf-8")
    assert "window.Plotly=" in text
    assert "scatter3d" in text


def test_reruns_share_the_runs_figures_instead_of_copying_them(with_runs):
    from ui import clusters

    arn = with_runs.arns["k3"]
    at = open_view(open_page(arn), clusters_ui.SIZES_VIEW)
    views, scatter = clusters.profile_views(arn), clusters.scatter_scene(arn)
    scatter_before = scatter.figure.to_json()

    open_view(at, clusters_ui.SEGMENTS_VIEW)
    at.toggle(key="clusters_normalise").set_value(True).run()
    open_view(at, clusters_ui.SCATTER_VIEW)
    open_view(at, clusters_ui.SIZES_VIEW)

    assert not at.exception and not at.error
    assert clusters.profile_views(arn) is views  # the very object: no unpickled copy per rerun
    assert clusters.scatter_scene(arn) is scatter
    assert profile_views(at) == list(views)
    assert scatter.figure.to_json() == scatter_before == scatter.figure_json
    assert clusters.segment_view(arn, True) is clusters.segment_view(arn, True)


def test_the_customers_csv_is_built_when_its_download_is_clicked(with_runs, monkeypatch):
    import io

    import pandas as pd
    from streamlit.runtime.media_file_manager import MediaFileManager

    from ui import clusters

    deferred = []
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        deferred.append((data_callable, file_name))
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    arn = with_runs.arns["k3"]
    open_view(open_page(arn), clusters_ui.CUSTOMERS_VIEW)

    (build,) = [build for build, name in deferred if name and name.startswith("clusters-")]
    downloaded = pd.read_csv(io.BytesIO(build()))
    assert downloaded["CustomerID"].tolist() == clusters.load_run(arn).clusters["CustomerID"].tolist()


def test_the_customer_grid_gets_every_value_in_the_smallest_types_that_hold_them(with_runs):
    # issue 10: the grid's data goes to the browser whole on every run switch (493 KB at 3,591
    # customers as read): integers downcast to fit, repeated text as categories.
    import pandas as pd
    from streamlit import dataframe_util

    from ui import clusters

    arn = with_runs.arns["k5"]
    customers = clusters.load_run(arn).clusters
    at = open_view(open_page(arn), clusters_ui.CUSTOMERS_VIEW)

    shown = at.dataframe[0].value
    assert list(shown.columns) == list(customers.columns)
    for column in clusters.REPEATED_TEXT:
        assert isinstance(shown[column].dtype, pd.CategoricalDtype), column
    assert shown["R"].dtype.itemsize == 1 and shown["CustomerID"].dtype.itemsize < 8
    # ... and nothing lost: the same figures and text, row by row, as the run's own results.
    pd.testing.assert_frame_equal(
        shown.astype({column: customers[column].dtype for column in customers.columns}),
        customers.reset_index(drop=True),
    )
    sent = dataframe_util.convert_pandas_df_to_arrow_bytes(clusters.customers_table(arn))
    assert len(sent) < len(dataframe_util.convert_pandas_df_to_arrow_bytes(customers)) / 2
    # A search still finds customers by the text of a category column.
    country = customers["Country"].iloc[0]
    at.text_input(key="clusters_search").set_value(country.upper()).run()
    assert len(at.dataframe[0].value) == int((customers["Country"] == country).sum())


def test_the_sankeys_labels_take_the_themes_text_colour_and_the_cached_figure_is_left_as_it_was(with_runs):
    # The labels were a fixed dark grey: dark on dark, blurred by their outline, in the dark theme.
    from ui import clusters

    result, compared = clusters.comparison(with_runs.arns["k3"], with_runs.arns["k5"])
    before = compared.sankey.to_json()

    dark = clusters.sankey_for_theme(compared.sankey, "dark")
    light = clusters.sankey_for_theme(compared.sankey, "light")

    assert dark.data[0].textfont.color == clusters.SANKEY_LABEL_COLOURS["dark"]
    assert light.data[0].textfont.color == clusters.SANKEY_LABEL_COLOURS["light"]
    assert (
        clusters.sankey_for_theme(compared.sankey, None).data[0].textfont.color
        == light.data[0].textfont.color
    )
    assert compared.sankey.to_json() == before  # the shared, cached figure is not changed
    assert list(dark.data[0].node.label) == list(compared.sankey.data[0].node.label)
    assert sum(dark.data[0].link.value) == int(result.moves.to_numpy().sum())
