"""Prices page: a succeeded price-regression run's RMSE against its threshold and downloads, then
its views one a tab (errors, predicted against actual prices, feature importance, the StockCodes
it misses most, the predictions), only the open tab drawn: a run switch remounts one view."""

import functools

import streamlit as st

from pipeline.report.price_regression import no_better_than_the_mean
from pipeline.views import price_charts, price_html
from ui import deep_link, grid_ahead, prices, runs, shares
from ui.errors import show_error, show_warning
from ui.fields import keep, restore_kept
from ui.layout import CHART_WIDTH, plotly, row
from ui.metrics import metric_row
from ui.names import Key, Page
from ui.page import end_page
from ui.state import get_active
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
link_problem = deep_link.apply_run_link(listing)  # /prices?run=NAME opens that run's predictions
if link_problem:
    show_warning(link_problem)
selected = st.session_state.get(Key.SELECTED_EXECUTION)
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
st.selectbox(
    "Succeeded run",
    arns,
    index=arns.index(runs.default_run(succeeded, selected, getattr(get_active(), "name", None))),
    format_func=lambda a: prices.run_label(succeeded[a]),
    key=Key.PRICES_RUN,
    on_change=prices.follow_choice,  # reruns the run's part alone (run_part), or the page
)
prices.note_shown(note is not None)


@st.fragment
def views(arn: str) -> None:
    """The run's views, one a tab, only the open one drawn (``prices.VIEW_TABS``). A fragment: a
    tab switch reruns this function only, not app.py's navigation, the listing or the metrics."""
    run = prices.load_run(arn)
    # The tab left when the user went to another page (Streamlit forgets the tabs' state then).
    restore_kept(prices.VIEW_TAB_KEY)
    # Bound to the address (``prices_view=``): a reload or a shared link opens the same view.
    tabs = st.tabs(list(prices.VIEW_TABS), key=prices.VIEW_TAB_KEY, on_change="rerun", bind="query-params")
    keep(prices.VIEW_TAB_KEY)
    for tab, label in zip(tabs, prices.VIEW_TABS, strict=True):
        if not tab.open:
            continue
        with tab:
            try:
                view(run, label)
            except Exception as error:
                show_error(error, "Drawing the run's results")


def view(run: prices.PriceRun, label: str) -> None:
    """The content of the view tab ``label``."""
    if label in prices.TAB_CHARTS:
        with row():
            if label == prices.ERRORS_TAB:  # plain HTML: one Plotly chart less to mount a run switch
                st.html(price_html.rmse_html(run.results.scores), width=CHART_WIDTH)
            for name, key in prices.TAB_CHARTS[label]:
                chart = prices.run_figure(run.arn, name)
                if isinstance(chart, str):  # plain HTML (pipeline.views.price_html)
                    st.html(chart, width=CHART_WIDTH)
                else:
                    plotly(chart, key=key, width=CHART_WIDTH)
        if label == prices.PREDICTED_TAB:
            st.caption(
                "Each square counts the test lines whose actual and predicted prices fall in it, the "
                f"darker the more; the red dots are the {price_charts.MARKED_MISSES:,} lines drawn that "
                "are missed by the most pounds (a line predicted at or below 0 has no place on log axes: "
                "the subtitle counts those). Point at a square or a dot for what it holds; every line is "
                "in the Predictions view."
            )
    elif label == prices.STOCK_CODES_TAB:
        st.caption(
            "The StockCodes with the largest errors, ordered by their share of the test set's "
            "squared error: these lines weigh most in the RMSE."
        )
        st.dataframe(
            prices.largest_errors_rows(run),
            hide_index=True,
            column_config={
                "MeanActual": st.column_config.NumberColumn("Mean actual", format="%.2f"),
                "MeanPredicted": st.column_config.NumberColumn("Mean predicted", format="%.2f"),
                "MAE": st.column_config.NumberColumn(format="%.2f"),
                "RMSE": st.column_config.NumberColumn(format="%.2f"),
                prices.SHARE_COLUMN: shares.share_column("Share of squared error"),
            },
            key="prices_largest_errors",
        )
    else:
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


@st.fragment(key=prices.RUN_PART_KEY)
def run_part() -> None:
    """Everything that shows the run chosen in the box: its RMSE and verdict, downloads and views.

    A fragment keyed ``prices.RUN_PART_KEY``: a choice in the box reruns this part alone
    (``prices.follow_choice``), not the page, whose navigation, sidebar and listing do not change
    with the run (Clusters and Executions do the same). The run is read from the box's key."""
    arn = st.session_state[Key.PRICES_RUN]
    deep_link.show_in_address(arn)  # a reload, or the address shared, opens this run again
    try:
        run = prices.load_run(arn)
        scores_json = prices.scores_json(arn)
    except Exception as error:
        show_error(error, "Reading the run's results")
        return
    metric_row(prices.run_metrics(run))
    st.caption(prices.verdict(run))
    useless = no_better_than_the_mean(run.results.scores)
    if useless:
        st.warning(useless, icon=":material/warning:")
    st.text(
        f"Dataset: {run.dataset or 'unnamed'} · features: {', '.join(run.results.feature_names) or 'n/a'} · "
        f"num_round {run.parameters.num_round}, max_depth {run.parameters.max_depth}, "
        f"eta {run.parameters.eta:g}"
    )
    # The downloads sit above the views, in view whichever tab is open; a wrapping row (one line
    # at 1400 px, the buttons under each other where they do not fit).
    with row():
        runs.report_button(functools.partial(prices.report_html, arn), run.name, key="prices_report")
        st.download_button(
            "Download the predictions (CSV)",
            data=functools.partial(prices.predictions_csv, arn),  # built on the click, not every rerun
            file_name=prices.download_name(run, "predictions", "csv"),
            mime="text/csv",
            on_click="ignore",
            key="prices_csv",
        )
        st.download_button(
            "Download the scores (JSON)",
            data=scores_json,
            file_name=prices.download_name(run, "scores", "json"),
            mime="application/json",
            on_click="ignore",
            key="prices_json",
        )
    views(arn)


run_part()
grid_ahead.load_grid_ahead()  # Largest errors' and Predictions' grids: their code loaded ahead
