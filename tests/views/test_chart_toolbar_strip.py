"""Every titled chart the pages draw leaves its top strip to the toolbars, built from real runs.

On hover Plotly's modebar and Streamlit's fullscreen button sit in a chart's top right corner; a
long title placed, as plotly places it, in the middle of the top margin ran under them (seen in
chromium at 800 and 1400 px). ``pipeline.views.style`` hangs every title under a strip and
``top_margin`` makes room for it. This checks each figure builder of the views, found by its
return type so a new chart is checked too, on the real sample's runs: the title's place, no
``<br>`` in it (plotly hangs a multi-line title by its first line, so its top rises into the
strip: a note goes in the subtitle), and a top margin holding the strip, the title, its note and
the subplot titles of the top row (in the title's band they ran into it).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from support.cluster_support import make_runs

from pipeline.analysis import k_selection, rfm
from pipeline.analysis.cluster_compare import compare_runs
from pipeline.views import charts, cluster_charts, compare_charts, price_charts, style, sweep_charts
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.price_regression.model_file import feature_importance, read_booster
from pipeline.workflows.price_regression.parameters import RegressionParameters


@pytest.fixture(scope="module", autouse=True)
def studio_template():
    """The template the app's charts get. Streamlit makes its own template plotly's default when
    its Plotly module is first imported; the app imports Streamlit before the views, so the views'
    template wins there (``test_the_app_s_import_order_keeps_the_studio_template``). In a test
    worker a page test may import Streamlit after this module imported the views: put it back."""
    before = pio.templates.default
    pio.templates.default = "studio"
    yield
    pio.templates.default = before


def test_the_app_s_import_order_keeps_the_studio_template():
    code = (
        "import streamlit, plotly.io as pio; from pipeline.views import charts; print(pio.templates.default)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert shown.stdout.strip() == "studio"


#: The modules of the charts the pages draw with Plotly's toolbar. (The workflow graph and the
#: timeline are SVG and HTML on the pages: ``graph_svg``, ``timeline_html``.)
CHART_MODULES = (charts, cluster_charts, compare_charts, sweep_charts, price_charts)


def figure_builders() -> set[str]:
    """``module.function`` of every public function of the chart modules that returns a figure."""
    return {
        f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
        for module in CHART_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and inspect.signature(function).return_annotation in ("go.Figure", go.Figure)
    }


@pytest.fixture(scope="module")
def figures(sample_xlsx, sample_clean, tmp_path_factory) -> dict[str, go.Figure]:
    """Each figure builder's figure, from the real sample and real local runs of both workflows."""
    finished = make_runs(
        tmp_path_factory.mktemp("strip-home"),
        sample_xlsx,
        {
            "k3": ClusteringParameters(k=3, quality_threshold=-1.0),
            "k4": ClusteringParameters(k=4, quality_threshold=-1.0),
            "sweep": ClusteringParameters(k_range=(2, 3), quality_threshold=-1.0),
            "prices": RegressionParameters(),
        },
    )
    assert set(finished.results) == {"k3", "k4", "sweep", "prices"}, finished.descriptions
    clean, report = sample_clean
    table = rfm.compute_rfm(clean)
    tried = k_selection.try_k(rfm.clustering_features(table), ks=range(2, 5))
    k3, k4, prices = (finished.results[label] for label in ("k3", "k4", "prices"))
    moves = compare_runs(k3.clusters, k4.clusters).moves
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(finished.home))
        importance = feature_importance(read_booster(prices.model_uri), prices.feature_names)
    built: dict[str, Callable[[], Any]] = {
        "charts.revenue_by_month": lambda: charts.revenue_by_month(clean),
        "charts.top_countries": lambda: charts.top_countries(clean),
        "charts.cleaning_waterfall": lambda: charts.cleaning_waterfall(report.rows_read, report.removed()),
        "charts.segment_treemap": lambda: charts.segment_treemap(table),
        "charts.segment_bars": lambda: charts.segment_bars(table),
        "charts.rf_heatmap": lambda: charts.rf_heatmap(table),
        "charts.rfm_distributions": lambda: charts.rfm_distributions(table),
        "charts.k_selection_chart": lambda: charts.k_selection_chart(tried, k_selection.best_k(tried)),
        "cluster_charts.rfm_scatter_3d": lambda: cluster_charts.rfm_scatter_3d(
            cluster_charts.sample_customers(k4.clusters), len(k4.clusters)
        ),
        "cluster_charts.cluster_sizes": lambda: cluster_charts.cluster_sizes(k4.summary),
        "cluster_charts.cluster_profiles": lambda: cluster_charts.cluster_profiles(k4.summary),
        "cluster_charts.cluster_segment_heatmap": lambda: cluster_charts.cluster_segment_heatmap(k4.clusters),
        "compare_charts.movement_sankey": lambda: compare_charts.movement_sankey(moves),
        "sweep_charts.sweep_curve": lambda: sweep_charts.sweep_curve(finished.results["sweep"].sweep or {}),
        "price_charts.rmse_chart": lambda: price_charts.rmse_chart(prices.scores),
        "price_charts.predicted_vs_actual": lambda: price_charts.predicted_vs_actual(prices.predictions),
        "price_charts.residual_histogram": lambda: price_charts.residual_histogram(prices.predictions),
        "price_charts.importance_chart": lambda: price_charts.importance_chart(importance),
    }
    return {name: build() for name, build in built.items()}


def title_place(figure: go.Figure, name: str) -> Any:
    """The title's ``name`` setting (``pad.t``: a nested one) as plotly resolves it: the figure's
    own, else its template's."""
    own = figure.layout.title[name]
    return own if own is not None else figure.layout.template.layout.title[name]


def strip_problems(figure: go.Figure) -> list[str]:
    """What in ``figure`` lets its title run under the toolbars, as sentences."""
    title = figure.layout.title
    if not title.text:
        return ["it has no title (a chart drawn with the toolbar is titled)"]
    problems = []
    place = {key: title_place(figure, key) for key in ("yref", "y", "yanchor")}
    if place != {"yref": "container", "y": 1, "yanchor": "top"}:
        problems.append(f"its title is not hung from the chart's top: {place}")
    if (title_place(figure, "pad.t") or 0) < style.TOOLBAR_STRIP:
        problems.append(f"its title is less than {style.TOOLBAR_STRIP} px down")
    if "<br>" in title.text:
        problems.append("its title has a <br> (a note goes in the subtitle)")
    # Subplot titles of the top row sit on the plot's top edge (paper y 1, anchored at their bottom).
    over_plot = any(
        note.yref == "paper" and note.yanchor == "bottom" and (note.y or 0) >= 0.999
        for note in figure.layout.annotations
    )
    needed = style.top_margin(1 + bool(title.subtitle.text) + over_plot)
    if (figure.layout.margin.t or 0) < needed:
        problems.append(f"its top margin {figure.layout.margin.t} is under the {needed} px its title needs")
    return problems


def test_every_figure_builder_of_the_pages_is_checked(figures):
    assert set(figures) == figure_builders()


def test_every_chart_leaves_the_toolbars_a_strip_above_its_title(figures):
    problems = {name: found for name, figure in figures.items() if (found := strip_problems(figure))}

    assert problems == {}


def test_a_title_in_the_middle_of_a_plain_top_margin_is_a_problem():
    # As the charts were: plotly's own title place, a 50 px top margin, a note after a <br>.
    figure = go.Figure(layout={"title": {"text": "Residuals<br><sup>60 not drawn</sup>", "y": 0.95}})
    figure.update_layout(margin={"t": 50})

    assert len(strip_problems(figure)) == 3
