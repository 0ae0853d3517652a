"""The Prices page's logic: which price-regression runs have results, reading them, their figures.

A finished run never changes, so everything drawn from it is cached by its execution ARN: the
results and the model's feature importance once per process, and each figure once its tab is
first opened (``st.cache_resource``, shared read-only); the predictions CSV is built when its
download is clicked. The page shows one view tab at a time (``VIEW_TABS``). The executions
come from :mod:`ui.runs`, the listing the Executions and Clusters pages use too; only the
price-regression workflow's runs are offered here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pipeline.report.price_regression import validation_context
from pipeline.views import price_charts, price_html
from pipeline.views.csv_download import spreadsheet_safe_csv
from pipeline.workflows.price_regression.model_file import feature_importance, read_booster
from pipeline.workflows.price_regression.parameters import RegressionParameters, parameters_from_input
from pipeline.workflows.price_regression.results import RegressionResults
from pipeline.workflows.price_regression.spec import PRICE_REGRESSION
from ui import runs, shares
from ui.backend import backend_of
from ui.names import Key
from ui.runs import Listing, picker_label

#: Statuses of an execution that may still succeed (its predictions are not there yet).
STILL_GOING = {"RUNNING", "PENDING_REDRIVE"}


@dataclass(frozen=True)
class PriceRun:
    """A succeeded price-regression run's results, its model's importance and how it was launched."""

    arn: str
    results: RegressionResults
    importance: pd.DataFrame
    parameters: RegressionParameters
    dataset: str

    @property
    def name(self) -> str:
        """The execution's name (the last part of its ARN)."""
        return self.arn.rsplit(":", 1)[-1]


def regression_items(listing: Listing) -> dict[str, dict[str, Any]]:
    """The listed executions of the price-regression workflow, by ARN, newest first."""
    return {
        item["executionArn"]: item for item in listing.items if item.get("workflow") == PRICE_REGRESSION.name
    }


def succeeded_runs(listing: Listing) -> dict[str, dict[str, Any]]:
    """The price-regression executions that succeeded, by ARN, newest first: the runs with results."""
    return {arn: item for arn, item in regression_items(listing).items() if item.get("status") == "SUCCEEDED"}


def selection_note(listing: Listing, selected: str | None) -> tuple[str, str] | None:
    """Why the session's selected execution has no predictions, as (``"info"`` or ``"warning"``, text).

    None when nothing is selected, it is not a listed price-regression run, or it succeeded.
    """
    item = regression_items(listing).get(selected or "")
    if item is None or item.get("status") == "SUCCEEDED":
        return None
    if item.get("status") in STILL_GOING:
        return "info", "The run you selected is still running: its predictions appear here once it succeeds."
    return "warning", f"The run you selected ended {item.get('status')}, so it has no predictions."


def run_label(item: dict[str, Any]) -> str:
    """How a run reads in the selector: its name, RMSE threshold and feature set
    (``ui.runs.picker_label``)."""
    parameters = item.get("parameters") or {}
    threshold = parameters.get("rmse_threshold")
    limit = f"RMSE ≤ {threshold:g}" if isinstance(threshold, int | float) else "RMSE ≤ ?"
    return picker_label(item, limit, str(parameters.get("feature_set", "?")))


#: The page's part that shows the run chosen (a fragment: its figures, downloads and views), and
#: whether the page's last run showed a note above the box about a selection with no predictions.
RUN_PART_KEY = "prices_run_part"
NOTE_SHOWN_KEY = "prices_note_shown"


def note_shown(shown: bool) -> None:
    """Record whether this run of the page shows ``selection_note``'s note above the box."""
    runs.note_shown(NOTE_SHOWN_KEY, shown)


def follow_choice() -> None:
    """The box's callback: only the run's part reruns, or the page (``ui.runs.show_run_chosen``)."""
    runs.show_run_chosen(Key.PRICES_RUN, RUN_PART_KEY, NOTE_SHOWN_KEY)


@st.cache_resource(max_entries=8, show_spinner="Reading the run's predictions and model…")
def load_run(arn: str) -> PriceRun:
    """The results of the succeeded execution ``arn`` and its model's total-gain importance, read once
    per process (they never change)."""
    chosen = backend_of(arn)
    description = chosen.describe(arn)
    execution_input = json.loads(description.get("input") or "{}")
    results = chosen.results(arn)
    if not results.model_uri:
        importance = pd.DataFrame(columns=["Feature", "Gain", "Share"])
    else:
        booster = read_booster(results.model_uri, chosen.storage)
        importance = feature_importance(booster, results.feature_names)
    return PriceRun(
        arn=arn,
        results=results,
        importance=importance,
        parameters=parameters_from_input(execution_input),
        dataset=str(execution_input.get("DatasetName", "")),
    )


def _figure(value: Any, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f}" if value is not None else "n/a"


def run_metrics(run: PriceRun) -> list[tuple[str, str] | tuple[str, str, str | None]]:
    """The headline figures of a run for ``ui.metrics.metric_row``: RMSE of each split against
    the threshold, then the test set's MAE, R² and the baseline."""
    scores = run.results.scores
    return [
        ("Train RMSE", _figure(scores.get("train_rmse"))),
        (
            "Validation RMSE",
            _figure(scores.get("validation_rmse")),
            "What the workflow compared with the threshold before predicting the test lines.",
        ),
        ("Test RMSE", _figure(scores.get("test_rmse"))),
        ("RMSE threshold", _figure(scores.get("rmse_threshold"))),
        ("Test MAE", _figure(scores.get("test_mae"))),
        ("Test R²", _figure(scores.get("test_r2"), 3)),
        (
            "Test RMSE of the mean",
            _figure(scores.get("baseline_test_rmse")),
            "Always predicting the training lines' mean price: the model should beat it.",
        ),
        ("Test lines", f"{len(run.results.predictions):,}"),
    ]


def verdict(run: PriceRun) -> str:
    """One sentence on the validation RMSE against the threshold (the Choice's comparison)."""
    scores = run.results.scores
    validation, threshold = scores.get("validation_rmse"), scores.get("rmse_threshold")
    if validation is None or threshold is None:
        return "The run did not record its validation RMSE or threshold."
    margin = float(threshold) - float(validation)
    return " ".join(
        [
            f"Validation RMSE {float(validation):,.2f} is within the threshold {float(threshold):g} "
            f"(margin {margin:,.2f}), so the model predicted the test lines.",
            *validation_context(scores),
        ]
    )


#: The run's charts by name, each built from its ``PriceRun`` on first ask: a Plotly figure, or
#: plain HTML (predicted against actual, ``price_html.density_html``: a Plotly heatmap was mounted
#: anew on every run switch, a WebGL scatter before it).
FIGURE_BUILDERS: dict[str, Callable[[PriceRun], go.Figure | str]] = {
    "residuals": lambda run: price_charts.residual_histogram(run.results.predictions),
    "predicted": lambda run: price_html.density_html(price_charts.price_density(run.results.predictions)),
    "importance": lambda run: price_charts.importance_chart(run.importance),
}


@st.cache_resource(max_entries=32, show_spinner="Drawing the predictions…")
def run_figure(arn: str, name: str) -> go.Figure | str:
    """One of the run's charts (``FIGURE_BUILDERS``): built when its tab is first opened, then
    shared read-only (``st.cache_resource``: no unpickled copy of a figure per rerun,
    as ``st.cache_data`` made; a finished run never changes)."""
    return FIGURE_BUILDERS[name](load_run(arn))


#: The tabs of the page's views, in this order, each with the charts it draws (``FIGURE_BUILDERS``
#: names); the two grids have tabs of their own. Only the open tab is drawn
#: (``st.tabs(on_change="rerun")``, ``.open``): Streamlit 1.67 hashes a Plotly figure into its
#: element id, so drawn all at once a run change unmounted and mounted four charts and two grids
#: again, 0.9-1.6 s in the browser at full scale (benchmarks/README.md, rounds 8 and 9). Errors
#: first: whether the model passed and by how much is what a run is opened for, and its RMSE
#: bars (HTML) and histogram are the lightest to draw. Labels are short so the five tabs fit an 800 px window.
ERRORS_TAB = "Errors"
PREDICTED_TAB = "Predicted vs actual"
IMPORTANCE_TAB = "Importance"
STOCK_CODES_TAB = "Largest errors"
PREDICTIONS_TAB = "Predictions"
VIEW_TABS: tuple[str, ...] = (ERRORS_TAB, PREDICTED_TAB, IMPORTANCE_TAB, STOCK_CODES_TAB, PREDICTIONS_TAB)
#: The charts of each chart tab, as (figure name, element key), side by side where they fit.
TAB_CHARTS: dict[str, tuple[tuple[str, str], ...]] = {
    # (and, first, the RMSE by split as HTML: pipeline.views.price_html)
    ERRORS_TAB: (("residuals", "prices_residuals"),),
    PREDICTED_TAB: (("predicted", "prices_predicted"),),
    IMPORTANCE_TAB: (("importance", "prices_importance"),),
}
#: The view tabs' widget key: not the run's, so the open tab stays open when another run is chosen.
#: Also the address's parameter for the open tab (``/prices?run=NAME&prices_view=Importance``):
#: the tabs are bound to it, so a reload or a shared link opens the same view.
VIEW_TAB_KEY = "prices_view"
#: The Largest errors grid's share column, in percent points (``ui.shares``).
SHARE_COLUMN = "SquaredErrorShare"


def largest_errors_rows(run: PriceRun) -> pd.DataFrame:
    """The Largest errors view's rows (``price_charts.largest_errors``), each StockCode's share of
    the squared error in percent points."""
    return shares.in_percent_points(price_charts.largest_errors(run.results.stock_codes), [SHARE_COLUMN])


def predictions_csv(arn: str) -> bytes:
    """The run's predictions (one row a test line) as CSV: built when its download is clicked
    (given to ``st.download_button`` as a callable), not on every rerun."""
    return spreadsheet_safe_csv(load_run(arn).results.predictions)


def scores_json(arn: str) -> bytes:
    """The run's scores as JSON (small: built on every rerun)."""
    return json.dumps(load_run(arn).results.scores, indent=2).encode("utf-8")


@st.cache_data(max_entries=8, show_spinner=False)
def report_html(arn: str) -> bytes:
    """The run's self-contained HTML report (``pipeline.report``, its price-regression sections),
    built once per run when its Download report button is clicked: a finished run never changes."""
    from pipeline.report.build import build_report

    return build_report(backend_of(arn), arn).html.encode("utf-8")


def download_name(run: PriceRun, what: str, extension: str) -> str:
    """A file name for one of the run's downloads: ``<run name>-<what>.<extension>``."""
    return f"{run.name}-{what}.{extension}"
