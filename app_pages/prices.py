"""Prices page: a succeeded price-regression run's RMSE against its threshold, predicted against
actual prices, residuals, feature importance, the StockCodes it misses most, and downloads."""

import functools

import streamlit as st

from pipeline.views import price_charts
from ui import prices, runs
from ui.errors import show_error, show_warning
from ui.layout import chart_row
from ui.metrics import metric_row
from ui.names import Key, Page
from ui.page import end_page
from ui.text import plain

st.title("Price predictions")

selected = st.session_state.get(Key.SELECTED_EXECUTION)
try:
    with st.spinner("Listing the executions…"):
        listing = runs.list_executions(selected)
except Exception as error:
    show_error(error, "Listing the executions")
    end_page()
for warning in listing.warnings:
    show_warning(warning)
succeeded = prices.succeeded_runs(listing)

note = prices.selection_note(listing, selected)
if note is not None:
    kind, text = note
    (st.info if kind == "info" else st.warning)(plain(text))
    st.text(selected.rsplit(":", 1)[-1])
    st.page_link(Page.EXECUTIONS, label="Watch it on the Executions page", icon=":material/monitoring:")
if not succeeded:
    st.info(
        "No price-regression run has succeeded yet: launch one (choose Price regression on the "
        "Launch page), then explore its predictions here."
    )
    st.page_link(Page.LAUNCH, label="Launch a price-regression run", icon=":material/rocket_launch:")
    end_page()

arns = list(succeeded)
arn = st.selectbox(
    "Succeeded run",
    arns,
    index=arns.index(prices.default_run(succeeded, selected)),
    format_func=lambda a: prices.run_label(succeeded[a]),
    key=Key.PRICES_RUN,
    on_change=prices.follow_choice,
)
try:
    run = prices.load_run(arn)
    figures = prices.run_figures(arn)
except Exception as error:
    show_error(error, "Reading the run's results")
    end_page()

metric_row(prices.run_metrics(run))
st.caption(prices.verdict(run))
st.text(
    f"Dataset: {run.dataset or 'unnamed'} · features: {', '.join(run.results.feature_names) or 'n/a'} · "
    f"num_round {run.parameters.num_round}, max_depth {run.parameters.max_depth}, eta {run.parameters.eta:g}"
)
runs.report_button(functools.partial(prices.report_html, arn), run.name, key="prices_report")

chart_row([(figures["rmse"], "prices_rmse"), (figures["importance"], "prices_importance")])
chart_row([(figures["scatter"], "prices_scatter"), (figures["residuals"], "prices_residuals")])
if len(run.results.predictions) > price_charts.MAX_SCATTER_POINTS:
    st.caption(
        f"For a responsive chart the scatter draws {price_charts.MAX_SCATTER_POINTS:,} of the "
        f"{len(run.results.predictions):,} test lines, sampled with a fixed seed."
    )

st.subheader("StockCodes with the largest errors")
st.caption("Ordered by their share of the test set's squared error: these lines weigh most in the RMSE.")
st.dataframe(
    price_charts.largest_errors(run.results.stock_codes),
    hide_index=True,
    column_config={
        "MeanActual": st.column_config.NumberColumn("Mean actual", format="%.2f"),
        "MeanPredicted": st.column_config.NumberColumn("Mean predicted", format="%.2f"),
        "MAE": st.column_config.NumberColumn(format="%.2f"),
        "RMSE": st.column_config.NumberColumn(format="%.2f"),
        "SquaredErrorShare": st.column_config.NumberColumn("Share of squared error", format="percent"),
    },
    key="prices_largest_errors",
)

st.subheader("Predictions")
st.dataframe(
    run.results.predictions,
    hide_index=True,
    column_config={
        "CustomerID": st.column_config.NumberColumn(format="%d"),
        "Predicted": st.column_config.NumberColumn(format="%.2f"),
        "Error": st.column_config.NumberColumn(format="%.2f"),
    },
    key="prices_predictions",
)
predictions_csv, scores_json = prices.downloads(arn)
left, right = st.columns(2)
left.download_button(
    "Download the predictions (CSV)",
    data=predictions_csv,
    file_name=prices.download_name(run, "predictions", "csv"),
    mime="text/csv",
    on_click="ignore",
    key="prices_csv",
)
right.download_button(
    "Download the scores (JSON)",
    data=scores_json,
    file_name=prices.download_name(run, "scores", "json"),
    mime="application/json",
    on_click="ignore",
    key="prices_json",
)
