"""AppTest runs of the Prices page, with finished local runs of the UCI sample.

The runs (two price regressions that succeed, a shallow one first, one whose threshold is below
the achievable RMSE so it fails, and a clustering run) are made once for the module in a data
directory of their own; each test points RFM_STUDIO_HOME at it and clears Streamlit's caches.
Expected figures come from the run's files read through the backend and from the model file
loaded with ``xgboost.Booster``, not from the page.
"""

from __future__ import annotations

import html
import io
import json
import re
import tarfile

import numpy as np
import pandas as pd
import pytest
import xgboost
from streamlit.testing.v1 import AppTest
from support.cluster_support import make_runs
from support.figure_support import values
from support.page_support import (
    APP,
    components_named,
    listed_runs,
    metrics_in_columns,
    static_tables,
    unescaped,
)
from support.streamlit_caches import fresh_caches  # noqa: F401 - autouse: no cached backends or results

from pipeline.backends.local import LocalBackend
from pipeline.local.client import LocalStepFunctionsClient
from pipeline.storage import default_storage
from pipeline.views import price_charts
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.price_regression.parameters import RegressionParameters
from ui import grid_ahead, prices
from ui.names import RUN_QUERY_PARAM, Key, Page
from ui.streamlit_chunks import STREAMLIT_STATIC

RUN_TIMEOUT = 120


@pytest.fixture(scope="module")
def runs(sample_xlsx, tmp_path_factory):
    finished = make_runs(
        tmp_path_factory.mktemp("page-prices"),
        sample_xlsx,
        {
            "shallow": RegressionParameters(max_depth=3, rmse_threshold=1000.0),
            "prices": RegressionParameters(),
            "too_strict": RegressionParameters(rmse_threshold=1.0),
            "clusters": ClusteringParameters(k=3, quality_threshold=-1.0),
        },
    )
    assert finished.descriptions["too_strict"]["status"] == "FAILED"
    assert set(finished.results) == {"shallow", "prices", "clusters"}, finished.descriptions
    return finished


@pytest.fixture
def with_runs(runs, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(runs.home))
    return runs


def open_page(selected: str | None = None, page: str = Page.PRICES) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if selected:
        at.session_state[Key.SELECTED_EXECUTION] = selected
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.main.metric}


def rmse_bars(at: AppTest) -> str:
    """What the Errors view's RMSE bars (``pipeline.views.price_html``) say to a screen reader."""
    [body] = [element.proto.body for element in at.get("html") if 'class="br"' in element.proto.body]
    return html.unescape(re.search(r'role="img" aria-label="([^"]*)"', body).group(1))


def density(at: AppTest) -> str:
    """Predicted against actual, the HTML density (``pipeline.views.price_html.density_html``)."""
    [body] = [element.proto.body for element in at.get("html") if 'class="dn"' in element.proto.body]
    return body


def cell_counts(body: str) -> list[int]:
    """The test lines of each of the density's cells, as its tooltip says."""
    return [
        int(count.replace(",", ""))
        for count in re.findall(r'class="dn-c"[^>]*title="[^"]*: ([\d,]+) test line', body)
    ]


def dot_tips(body: str) -> list[str]:
    """The tooltips of the density's dots (the largest misses), unescaped."""
    return [html.unescape(tip) for tip in re.findall(r'class="dn-m"[^>]*title="([^"]*)"', body)]


def charts(at: AppTest) -> dict[str, dict]:
    """The page's plotly figures by their title (a note under it is its subtitle), in order."""
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {figure["layout"]["title"]["text"]: figure for figure in figures}


def open_view_tab(at: AppTest, label: str) -> AppTest:
    """Switch the view tabs to ``label``, as a click on the tab does (the browser's address, to
    which the tabs are bound, follows the click: a parameter left as it was would win)."""
    at.session_state[prices.VIEW_TAB_KEY] = label
    at.query_params[prices.VIEW_TAB_KEY] = label
    at.run()
    assert not at.exception and not at.error
    return at


def grids(at: AppTest) -> list[pd.DataFrame]:
    return [frame.value for frame in at.dataframe]


def test_without_a_succeeded_price_regression_the_page_points_to_launch():
    at = open_page()

    assert "No price-regression run has succeeded yet" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == ["Launch a price-regression run"]
    assert not at.get("plotly_chart") and not at.download_button


def test_the_page_ends_with_the_element_that_loads_the_grids_code_ahead(with_runs):
    # Errors has no grid: the first grid a new tab draws (Largest errors, Predictions) found
    # Streamlit's grid code not loaded (ui.grid_ahead; tests/browser/test_browser_prices.py).
    at = open_page(with_runs.arns["prices"])

    assert len(at.get("bidi_component")) == 1
    [element] = components_named(at, grid_ahead.COMPONENT_NAME)
    files = json.loads(element.proto.json)
    assert files["chunks"] == [grid_ahead.grid_chunk()]  # no widget beside Prices' grids
    [style] = files["styles"]
    assert style.startswith("static/css/DataFrame.")
    assert all((STREAMLIT_STATIC / path).is_file() for path in files["chunks"] + files["styles"])  # served


def test_the_selector_offers_only_succeeded_price_regression_runs(with_runs):
    at = open_page()

    selector = at.selectbox(key=Key.PRICES_RUN)
    assert selector.value == with_runs.arns["prices"]
    # Newest first; not the failed run, not the clustering run.
    assert selector.options == [
        f"{with_runs.arns[label].rsplit(':', 1)[-1]} · RMSE ≤ {threshold} · basic"  # whole at 800 px
        for label, threshold in (("prices", 30), ("shallow", 1000))
    ]


def test_the_views_are_tabs_and_only_the_open_one_is_sent(with_runs):
    at = open_page(with_runs.arns["prices"])

    assert [tab.label for tab in at.tabs] == [
        "Errors",
        "Predicted vs actual",
        "Importance",
        "Largest errors",
        "Predictions",
    ]
    # The first tab's two charts alone: no scatter, importance or grid in the closed tabs.
    assert list(charts(at)) == ["Residuals, predicted - actual"]  # beside the RMSE's HTML bars
    assert rmse_bars(at).startswith("RMSE by split against the threshold 30: train ")
    assert not at.dataframe
    # What stays in view whichever tab is open: the figures, the verdict and every download.
    assert "Validation RMSE" in metrics(at) and "is within the threshold" in at.caption[0].value
    assert len(at.download_button) == 3


def test_the_open_tab_stays_open_across_a_run_switch(with_runs):
    shallow = with_runs.results["shallow"]
    at = open_view_tab(open_page(with_runs.arns["prices"]), prices.PREDICTED_TAB)

    at.selectbox(key=Key.PRICES_RUN).set_value(with_runs.arns["shallow"]).run()

    assert not at.exception and not at.error
    assert at.session_state[Key.SELECTED_EXECUTION] == with_runs.arns["shallow"]
    assert metrics(at)["Validation RMSE"] == f"{shallow.scores['validation_rmse']:,.2f}"
    assert list(charts(at)) == []  # still that view alone: its density is HTML
    worst = shallow.predictions.loc[shallow.predictions["Error"].abs().idxmax()]  # the shallow run's
    assert dot_tips(density(at))[0].endswith(f"predicted {worst['Predicted']:,.2f}")
    assert not at.dataframe


def test_another_run_chosen_redraws_only_the_part_that_shows_it(with_runs):
    # issue 10: a run switch reran the page, its navigation, sidebar, listing and box, all the
    # same for every run (benchmarks/README.md, round 26). AppTest's tree holds what the run drew,
    # so an element missing from it was not redrawn.
    shallow = with_runs.arns["shallow"]
    at = open_page(with_runs.arns["prices"])
    assert at.title and at.sidebar.children

    at.selectbox(key=Key.PRICES_RUN).set_value(shallow).run()

    assert not at.exception and not at.error
    assert not at.title and not at.sidebar.children  # the page's own run was not made
    assert Key.PRICES_RUN not in [box.key for box in at.selectbox]  # nor the box redrawn
    assert metrics(at)["RMSE threshold"] == "1,000.00"  # the run's part: its figures ...
    assert len(at.download_button) == 3  # ... its downloads ...
    assert list(charts(at)) == ["Residuals, predicted - actual"]  # ... and its open view
    assert at.query_params[RUN_QUERY_PARAM] == shallow.rsplit(":", 1)[-1]  # the page's link to it
    assert at.session_state[Key.SELECTED_EXECUTION] == shallow

    at.run()  # the whole page again: it agrees with what the switch drew
    assert at.title and at.selectbox(key=Key.PRICES_RUN).value == shallow
    assert metrics(at)["RMSE threshold"] == "1,000.00"


def test_the_open_tab_is_open_again_after_another_page(with_runs):
    at = open_view_tab(open_page(with_runs.arns["prices"]), prices.IMPORTANCE_TAB)

    at.switch_page(Page.EXECUTIONS).run()  # a page that does not draw the tabs
    at.switch_page(Page.PRICES).run()

    assert not at.exception and not at.error
    assert list(charts(at)) == ["Feature importance (total gain)"]


def test_a_run_link_opens_that_runs_predictions(with_runs):
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.run()
    at.query_params[RUN_QUERY_PARAM] = with_runs.arns["shallow"].rsplit(":", 1)[-1]
    at.switch_page(Page.PRICES).run()

    assert not at.exception and not at.warning
    assert at.selectbox(key=Key.PRICES_RUN).value == with_runs.arns["shallow"]
    assert metrics(at)["RMSE threshold"] == "1,000.00"
    open_view_tab(at, prices.IMPORTANCE_TAB)  # the user's own clicks decide afterwards
    assert at.selectbox(key=Key.PRICES_RUN).value == with_runs.arns["shallow"]
    assert list(charts(at)) == ["Feature importance (total gain)"]


def test_the_predictions_tab_is_the_grid_of_every_test_line(with_runs):
    predictions = with_runs.results["prices"].predictions

    at = open_view_tab(open_page(with_runs.arns["prices"]), prices.PREDICTIONS_TAB)

    assert not at.get("plotly_chart")
    [table] = grids(at)
    assert len(table) == len(predictions)
    assert table["Predicted"].to_numpy() == pytest.approx(predictions["Predicted"].to_numpy())


def test_the_headline_shows_each_split_rmse_against_the_threshold(with_runs):
    scores = with_runs.results["prices"].scores

    at = open_page(with_runs.arns["prices"])

    shown = metrics(at)
    assert shown["Train RMSE"] == f"{scores['train_rmse']:,.2f}"
    assert shown["Validation RMSE"] == f"{scores['validation_rmse']:,.2f}"
    assert shown["Test RMSE"] == f"{scores['test_rmse']:,.2f}"
    assert shown["RMSE threshold"] == "30.00"
    assert shown["Test lines"] == f"{len(with_runs.results['prices'].predictions):,}"
    assert scores["validation_rmse"] < 30.0
    verdict = at.caption[0].value
    assert f"Validation RMSE {scores['validation_rmse']:,.2f} is within the threshold 30" in verdict
    # The gate's RMSE read against its own baseline and, nine times the test RMSE on the sample,
    # explained by the validation lines' dearest price.
    gain = 1 - scores["validation_rmse"] / scores["baseline_validation_rmse"]
    assert (
        f"Always predicting the training mean would score {scores['baseline_validation_rmse']:,.2f} on the "
        f"validation lines: the model is {gain:.0%} better than that." in verdict
    )
    ratio = scores["validation_rmse"] / scores["test_rmse"]
    assert ratio > 2 and f"differ {ratio:.0f}-fold" in verdict and "£1,270.06" in verdict
    assert not metrics_in_columns(at.main)
    # In the first tab, open at first: each split's RMSE as a bar against the threshold's line.
    splits = ", ".join(f"{split} {scores[f'{split}_rmse']:,.2f}" for split in ("train", "validation", "test"))
    assert rmse_bars(at) == f"RMSE by split against the threshold 30: {splits}."


def test_predicted_against_actual_counts_every_test_line_and_marks_the_largest_misses(with_runs):
    predictions = with_runs.results["prices"].predictions

    at = open_view_tab(open_page(with_runs.arns["prices"]), prices.PREDICTED_TAB)

    assert list(charts(at)) == []  # that tab's density alone, as HTML: no Plotly chart to mount
    body = density(at)
    positive = predictions[(predictions["Predicted"] > 0) & (predictions["UnitPrice"] > 0)]
    assert sum(cell_counts(body)) == len(positive)
    largest = positive.loc[positive["Error"].abs().nlargest(price_charts.MARKED_MISSES).index]
    tips = dot_tips(body)
    assert len(tips) == len(largest)
    first = largest.iloc[0]
    assert tips[0] == (
        f"{first['StockCode']} · {first['Description']}: actual {first['UnitPrice']:,.2f}, "
        f"predicted {first['Predicted']:,.2f}"
    )
    dropped = len(predictions) - len(positive)
    if dropped:
        assert f"{dropped:,} predicted at or below 0 not drawn" in body
    assert any(
        f"the {price_charts.MARKED_MISSES} lines drawn that are missed by the most pounds" in caption.value
        for caption in at.caption
    )


def test_the_errors_tab_shows_the_residuals_of_every_test_line_beside_the_rmse(with_runs):
    predictions = with_runs.results["prices"].predictions

    at = open_page(with_runs.arns["prices"])

    residuals = charts(at)["Residuals, predicted - actual"]
    assert residuals["data"][0]["type"] == "bar"  # binned on the server: 60 bars, not every error
    drawn = sum(values(residuals["data"][0]["y"]))
    low, high = np.quantile(predictions["Error"], price_charts.RESIDUAL_SPAN)
    assert drawn == ((predictions["Error"] >= low) & (predictions["Error"] <= high)).sum()
    assert f"{len(predictions) - drawn:,} beyond" in residuals["layout"]["title"]["subtitle"]["text"]


def test_feature_importance_is_the_model_files_total_gain(with_runs):
    results = with_runs.results["prices"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(with_runs.home))
        archive = default_storage().read_bytes(results.model_uri)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        booster = xgboost.Booster()
        booster.load_model(bytearray(tar.extractfile("xgboost-model").read()))
    gains = booster.get_score(importance_type="total_gain")
    expected = {name: gains.get(f"f{index}", 0.0) for index, name in enumerate(results.feature_names)}

    at = open_view_tab(open_page(with_runs.arns["prices"]), prices.IMPORTANCE_TAB)

    assert list(charts(at)) == ["Feature importance (total gain)"]
    bars = charts(at)["Feature importance (total gain)"]["data"][0]
    assert dict(zip(values(bars["y"]), values(bars["x"]), strict=True)) == pytest.approx(expected)
    assert set(bars["y"]) == {"StockCode", "Quantity", "CustomerID"}


def test_the_stock_codes_with_the_largest_errors_come_first(with_runs):
    stock_codes = with_runs.results["prices"].stock_codes

    at = open_view_tab(open_page(with_runs.arns["prices"]), prices.STOCK_CODES_TAB)

    assert not at.get("plotly_chart")
    [table] = grids(at)
    largest = stock_codes.sort_values("SquaredErrorShare", ascending=False).head(len(table))
    assert table["StockCode"].tolist() == largest["StockCode"].tolist()
    assert table["SquaredErrorShare"].is_monotonic_decreasing
    # Shares in percent points, one decimal: "50.0%" beside "12.5%" (Streamlit's "percent" format
    # drops trailing zeros: "50%", "12.5%", "3.33%").
    assert table["SquaredErrorShare"].to_numpy() == pytest.approx(
        largest["SquaredErrorShare"].to_numpy() * 100
    )
    share = json.loads(at.dataframe[0].proto.columns)["SquaredErrorShare"]
    assert (share["label"], share["type_config"]["format"]) == ("Share of squared error", "%.1f%%")


def test_the_predictions_download_has_one_row_a_test_line(with_runs):
    predictions = with_runs.results["prices"].predictions

    at = open_page(with_runs.arns["prices"])

    labels = [button.label for button in at.download_button]
    assert labels == [
        "Download report (HTML)",
        "Download the predictions (CSV)",
        "Download the scores (JSON)",
    ]
    # The bytes the button offers (built on the click): the page's own source.
    csv = prices.predictions_csv(with_runs.arns["prices"])
    table = pd.read_csv(io.BytesIO(csv))
    assert len(table) == len(predictions)
    assert table["Predicted"].to_numpy() == pytest.approx(predictions["Predicted"].to_numpy())
    assert table["UnitPrice"].to_numpy() == pytest.approx(predictions["UnitPrice"].to_numpy())


def test_the_report_button_downloads_the_price_runs_self_contained_report(with_runs):
    # The run report covers price regressions too (README): the page that shows them offers it.
    arn = with_runs.arns["prices"]
    at = open_page(arn)

    assert at.download_button(key="prices_report").label == "Download report (HTML)"
    html = prices.report_html(arn).decode("utf-8")  # the bytes the button offers, built on click
    assert f"<title>Price regression report: {arn.rsplit(':', 1)[-1]}</title>" in html
    scores = with_runs.results["prices"].scores
    assert f"{scores['validation_rmse']:.3f}" in html
    assert "<script src=" not in html  # stands alone: nothing fetched when opened offline


def test_a_selected_run_that_failed_its_threshold_is_explained(with_runs):
    at = open_page(with_runs.arns["too_strict"])

    assert "ended FAILED, so it has no predictions" in unescaped(at.warning[0].value)
    assert at.selectbox(key=Key.PRICES_RUN).value == with_runs.arns["prices"]

    # A run chosen makes the note go: the note is above the box, so the page reruns, not the
    # run's part alone.
    at.selectbox(key=Key.PRICES_RUN).set_value(with_runs.arns["shallow"]).run()
    assert not at.exception and at.title
    assert not [w for w in at.warning if "ended FAILED" in unescaped(w.value)]
    assert metrics(at)["RMSE threshold"] == "1,000.00"


def test_the_clusters_page_does_not_offer_price_regression_runs(with_runs):
    at = open_page(with_runs.arns["prices"], page=Page.CLUSTERS)

    selector = at.selectbox(key=Key.CLUSTERS_RUN)
    assert selector.value == with_runs.arns["clusters"]
    assert len(selector.options) == 1
    assert not at.warning  # a selected price-regression run is not "a run without clusters"


def test_executions_names_each_runs_workflow_and_links_a_regression_run_to_prices(with_runs):
    at = open_page(with_runs.arns["prices"], page=Page.EXECUTIONS)

    table = listed_runs(at)
    assert sorted(table["Workflow"]) == ["clustering", *["price-regression"] * 3]
    assert "See the price predictions of this run" in [link.label for link in at.get("page_link")]


def test_executions_shows_each_price_runs_validation_rmse_beside_its_gate(with_runs):
    # A price regression's quality is the validation RMSE its gate compares: read from the output
    # of a run that passed, and from the gate's cause for the run that failed it (the figure
    # expected is the Validate RMSE step's own output, in the run's history).
    at = open_page(with_runs.arns["prices"], page=Page.EXECUTIONS)

    table = listed_runs(at)
    by_arn = dict(zip(table["Name"], table.to_dict("records"), strict=True))
    passed = by_arn[with_runs.arns["prices"].rsplit(":", 1)[-1]]
    assert passed["Threshold"] == "RMSE ≤ 30"
    assert passed["Quality"] == pytest.approx(with_runs.results["prices"].scores["validation_rmse"], abs=5e-4)
    failed = by_arn[with_runs.arns["too_strict"].rsplit(":", 1)[-1]]
    history = LocalBackend(LocalStepFunctionsClient(mode="thread")).history(with_runs.arns["too_strict"])
    validated = next(
        json.loads(event["stateExitedEventDetails"]["output"])
        for event in history
        if event["type"] == "TaskStateExited" and event["stateExitedEventDetails"]["name"] == "Validate RMSE"
    )
    assert failed["Threshold"] == "RMSE ≤ 1"
    assert failed["Quality"] == pytest.approx(validated["rmse"]["Payload"]["validation_rmse"], abs=5e-4)
    assert failed["Quality"] > 1.0
    assert by_arn[with_runs.arns["clusters"].rsplit(":", 1)[-1]]["Quality"] == pytest.approx(
        with_runs.results["clusters"].summary["silhouette"], abs=5e-4
    )


def test_the_scoring_steps_panel_lists_the_largest_errors_with_their_share_as_a_percentage(with_runs):
    # The step's output lists the StockCodes by share of squared error; without the share the
    # table looked unsorted by RMSE. It reads as the Prices page's column and as a percentage.
    arn = with_runs.arns["prices"]
    at = open_page(arn, page=Page.EXECUTIONS)
    at.selectbox(key=f"step_{arn}").set_value("Score predictions").run()
    assert not at.exception and not at.error

    table = next(frame for frame in static_tables(at) if "Share of squared error" in frame.columns)
    stock_codes = with_runs.results["prices"].stock_codes
    top = stock_codes.sort_values("SquaredErrorShare", ascending=False).head(len(table))
    assert len(table) == 5
    assert table["Stock code"].tolist() == top["StockCode"].astype(str).tolist()
    assert table["Share of squared error"].tolist() == [
        f"{round(share, 4):.2%}" for share in top["SquaredErrorShare"]
    ]
    assert table["Description"].tolist() == top["Description"].fillna("").astype(str).tolist()
