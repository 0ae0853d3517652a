"""The Executions page's runs table: running runs first, parameters and quality, a row click selects.

The table is redrawn by a refreshing fragment while runs go, so durations grow live. It is
``ui.runs_table_component``: a click on a row sends that row's run (its ARN, so a refresh that
moved the rows under the click cannot name another run), and the table marks the run shown.

A choice in the "Run shown" box or a click on a row is acted on in the widget's callback. While
nothing runs, it reruns only the page's parts that show the run (:data:`RUN_PARTS`, fragments),
the box and the table (each follows the choice), not the page: the title, the sidebar and the
navigation stay as they are, and the server makes one short run instead of two (the fragment's,
which handed over to the page's). A run that goes, before or after the switch, needs the page's
own run: the Stop button and the live refresh are set up there."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from pipeline.executions import TERMINAL_STATUSES
from pipeline.workflows.price_regression.spec import PRICE_REGRESSION
from ui import runs_table_component
from ui.backend import backend_of
from ui.names import Key
from ui.runs import Listing, picker_label

#: Columns of the executions table, in display order (ARN last, hidden by the page).
TABLE_COLUMNS = [
    "Name",
    "Status",
    "Quality",  # beside the status, in view at 1400 px: how each run came out, at a glance
    "Workflow",
    "Dataset",  # in view at 1400 px: on a shared server it tells whose run a row is
    "Started",
    "Duration (s)",
    "k",
    "Country",
    "Threshold",  # the gate the Quality was held to, which names the figure (silhouette or RMSE)
    "Backend",
    "ARN",
]
#: Rows the table shows before it scrolls, so the selected run stays near the top of the page.
VISIBLE_ROWS = 6
#: The height of a row and of the header row, in pixels (as Streamlit's grid had them).
ROW_HEIGHT = 35
#: The widget key of the table (a click's trigger value lives in session state under it).
TABLE_KEY = "executions_table"
#: Columns whose cells are numbers, right-aligned; columns cut to a width (whole text on hover).
NUMERIC_COLUMNS = frozenset({"Duration (s)", "Quality"})
CLIPPED_COLUMNS = frozenset({"Dataset"})
#: What a column header's hover says.
COLUMN_HELP = {
    "k": "A sweep shows its range, and the k it chose once it has.",
    "Threshold": "The quality gate the run had to pass.",
    "Quality": (
        "How good the run's model is, held to its Threshold: the silhouette for a clustering "
        "run (-1 to 1, higher is better), the validation RMSE for a price regression (in the "
        "currency of the prices, lower is better). Blank while the run goes, or when it ended before "
        "it had one. Sorted, each workflow's runs stay together, best first: clustering runs, then "
        "price runs (worst first the other way)."
    ),
}
_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
#: The figure a quality gate's Fail cause quotes: the clustering gate's silhouette, the price
#: regression's validation RMSE ("Validation RMSE 31.2 is above the threshold 30: ...").
_GATE_FIGURES = (re.compile(rf"silhouette {_NUMBER}"), re.compile(rf"Validation RMSE {_NUMBER}"))
#: Workflows whose quality figure is an error, lower being better: the price regression's RMSE.
LOWER_IS_BETTER = frozenset({PRICE_REGRESSION.name})
#: A clustering run's Quality sort key is minus its silhouette (-1 to 1) less this, a price run's its
#: RMSE (0 or more): no silhouette sorts among the RMSEs (see :func:`_quality_keys`).
_SILHOUETTE_KEY_OFFSET = 2.0
#: The output field of each workflow's quality figure: a clustering run's silhouette (higher is
#: better), a price regression's validation RMSE (the one its gate compares; lower is better).
_OUTPUT_FIGURES = ("silhouette", "validation_rmse")


def quality_of(execution_arn: str, status: str) -> float | None:
    """The run's quality figure (its silhouette, or a price regression's validation RMSE), read
    once a run has ended; None while it runs or when it ended before the figure existed."""
    if status not in TERMINAL_STATUSES:
        return None
    return _outcome(execution_arn)[0]


def k_of(parameters: dict[str, Any], execution_arn: str, status: str) -> str:
    """The k column: a fixed run's k; a sweep's range, with the k it chose once it has (``3 of 2-10``).

    A sweep's execution input keeps the fixed k it was launched beside, which it does not use:
    showing that number would name a k the run never clustered with.
    """
    k_range = parameters.get("k_range")
    if not k_range:
        k = parameters.get("k")
        return "" if k is None else str(k)  # blank for a workflow without k (a price regression)
    span = f"{k_range[0]}-{k_range[1]}"
    chosen = chosen_k(execution_arn) if status in TERMINAL_STATUSES else None
    return span if chosen is None else f"{chosen} of {span}"


def threshold_of(parameters: dict[str, Any]) -> str:
    """The Threshold column: the run's quality gate as it reads, ``silhouette ≥ 0.25`` for a
    clustering run, ``RMSE ≤ 30`` for a price regression (whose gate is an upper bound: a bare
    number beside the silhouettes read as one), blank when the input did not say."""
    silhouette, rmse = parameters.get("quality_threshold"), parameters.get("rmse_threshold")
    if isinstance(silhouette, int | float):
        return f"silhouette ≥ {silhouette:g}"
    if isinstance(rmse, int | float):
        return f"RMSE ≤ {rmse:g}"
    return ""


@st.cache_data(max_entries=512, show_spinner=False)
def _outcome(execution_arn: str) -> tuple[float | None, int | None]:
    """An ended run's quality figure and the k it clustered with (from its output), each None if absent."""
    description = backend_of(execution_arn).describe(execution_arn)
    return quality_in(description), k_in(description)


def chosen_k(execution_arn: str) -> int | None:
    """The k an ended clustering run clustered with (a sweep's choice), from its output; None if absent."""
    return _outcome(execution_arn)[1]


def quality_in(description: dict[str, Any]) -> float | None:
    """The quality figure an execution reports: its output's silhouette or validation RMSE, or the
    figure its quality gate quoted when the run failed there."""
    try:
        output = json.loads(description.get("output") or "null")
    except ValueError:
        output = None
    if isinstance(output, dict):
        for field in _OUTPUT_FIGURES:
            value = output.get(field)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    cause = str(description.get("cause") or "")
    for pattern in _GATE_FIGURES:
        match = pattern.search(cause)
        if match:
            return float(match.group(1))
    return None


def k_in(description: dict[str, Any]) -> int | None:
    """The k a succeeded clustering run reports in its output (a sweep's chosen k), else None."""
    try:
        output = json.loads(description.get("output") or "null")
    except ValueError:
        return None
    k = output.get("k") if isinstance(output, dict) else None
    return k if isinstance(k, int) and not isinstance(k, bool) else None


def executions_table(listing: Listing, now: dt.datetime | None = None) -> pd.DataFrame:
    """The listing as the page's table: running runs first, then newest first; durations so far.

    While nothing runs, every figure in it is final: the table is built once per listing (its
    runs and statuses), not on every rerun (~7 ms each)."""
    if now is None and not any_running(listing):
        return _ended_table(listing.signature(), listing)
    return _build_table(listing, now)


@st.cache_data(max_entries=16, show_spinner=False)
def _ended_table(signature: tuple[tuple[str, str], ...], _listing: Listing) -> pd.DataFrame:
    """:func:`_build_table` of a listing in which nothing runs, by its ``signature`` (the listing
    itself is not hashed: its runs and statuses say everything it holds)."""
    return _build_table(_listing, None)


def _build_table(listing: Listing, now: dt.datetime | None) -> pd.DataFrame:
    now = now or dt.datetime.now(dt.UTC)
    rows = []
    for item in listing.items:
        start = pd.Timestamp(item["startDate"])
        stop = pd.Timestamp(item["stopDate"]) if item.get("stopDate") else pd.Timestamp(now)
        parameters = item.get("parameters") or {}
        rows.append(
            {
                "Name": item["name"],
                "Status": item["status"],
                "Workflow": item.get("workflow", ""),
                "Started": start,
                "Duration (s)": round((stop - start).total_seconds(), 1),
                "k": k_of(parameters, item["executionArn"], item["status"]),
                "Threshold": threshold_of(parameters),
                "Country": parameters.get("country") or ("All" if parameters else ""),
                "Quality": quality_of(item["executionArn"], item["status"]),
                "Dataset": item.get("dataset", ""),
                "Backend": item["backend"],
                "ARN": item["executionArn"],
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    if table.empty:
        return table
    table["Started"] = pd.to_datetime(table["Started"], utc=True)
    table["_running"] = table["Status"] != "RUNNING"
    table = table.sort_values(["_running", "Started"], ascending=[True, False], kind="stable")
    return table.drop(columns="_running").reset_index(drop=True)


#: Under the runs table.
TABLE_CAPTION = (
    "The run shown below is marked in the table: click another row, or choose it in “Run shown” above. "
    "Click a column header to sort."
)
#: The widget key of the "Run shown" box above the table.
PICKER_KEY = "executions_run_shown"


def picker_option(item: dict[str, Any]) -> str:
    """How a run reads in the "Run shown" box: its name (which carries its start) and workflow.

    Never its status, nor anything else that changes: the browser sends back the label it shows,
    and Streamlit (1.67) hands a label no longer among the options to the app as the value itself,
    so when the run shown ended, "… · RUNNING" became the run shown (the page jumped to another
    run, and took the label for an AWS ARN)."""
    return picker_label(item, str(item.get("workflow") or "workflow unknown"))


#: The fragments of the Executions page that show the run chosen (their ``key``s): the run's name
#: and ARN, and the watched run below them.
RUN_HEADING_KEY = "executions_run_heading"
WATCH_KEY = "executions_watch"
RUN_PARTS = (RUN_HEADING_KEY, WATCH_KEY)
#: The runs part (the box and the table, refreshed while a run goes) and its two fragments, which a
#: choice in the box or a click on a row reruns with the run's parts, so that both follow it.
RUNS_PART_KEY = "executions_runs_part"
PICKER_PART_KEY = "executions_picker_part"
TABLE_PART_KEY = "executions_table_part"


def allow_switch_in_place(allowed: bool) -> None:
    """Say whether the next choice of a run may rerun only :data:`RUN_PARTS` (the page's full run
    sets it: true while nothing runs)."""
    st.session_state[Key.SWITCH_IN_PLACE] = allowed


def show_chosen(arn: str, *, also: tuple[str, ...] = ()) -> None:
    """Make ``arn`` the run shown and rerun what shows it; called from a widget's callback.

    Only :data:`RUN_PARTS` (and the fragments keyed ``also``) rerun when the page allowed it
    (nothing runs, so the run left and the run chosen have ended, and the page's Stop and refresh
    settings hold for both); else the page. The run already shown reruns only the widget's
    fragment, as any widget there does.
    """
    if arn == st.session_state.get(Key.SELECTED_EXECUTION):
        return
    st.session_state[Key.SELECTED_EXECUTION] = arn
    if st.session_state.get(Key.SWITCH_IN_PLACE):
        st.rerun([*also, *RUN_PARTS])
    st.rerun()


def follow_picker() -> None:
    """The run chosen in the "Run shown" box becomes the run shown (:func:`show_chosen`); the
    table's part reruns with it, to mark it.

    The box is there beside the table because it can be used from the keyboard and searched by
    typing a run's name."""
    chosen = st.session_state[PICKER_KEY]
    if not is_execution_arn(chosen):  # a label the box no longer offers (see picker_option)
        return
    show_chosen(chosen, also=(TABLE_PART_KEY,))


def follow_table_pick() -> None:
    """The runs table's click callback: the clicked row's run becomes the run shown
    (:func:`show_chosen`), and the box follows.

    The click names the run by its ARN, which comes from the browser: it is acted on only when it
    names a run the table lists (:data:`Key.TABLE_ARNS`, its rows when last drawn)."""
    arn = runs_table_component.clicked(TABLE_KEY)
    if arn is None or arn not in (st.session_state.get(Key.TABLE_ARNS) or ()):
        return
    show_chosen(arn, also=(PICKER_PART_KEY, TABLE_PART_KEY))


def is_execution_arn(value: Any) -> bool:
    """Whether ``value`` reads as an execution's ARN (either backend's), not a label."""
    return isinstance(value, str) and value.startswith("arn:") and ":execution:" in value


def table_payload(table: pd.DataFrame, shown: str) -> dict[str, Any]:
    """What ``ui.runs_table_component`` draws of ``table`` (:func:`executions_table`): its columns
    but the ARN (name, help, numeric, clipped), each row's ARN, cells as they read and sort keys,
    the run ``shown`` and the table's height (:data:`VISIBLE_ROWS` rows before it scrolls). Built on
    each drawing of the table: a few milliseconds for 300 runs."""
    columns = [column for column in table.columns if column != "ARN"]
    cells = [_cells(table[column]) for column in columns]
    keys = [_quality_keys(table) if column == "Quality" else _sort_keys(table[column]) for column in columns]
    return {
        "columns": [
            {
                "name": column,
                "help": COLUMN_HELP.get(column, ""),
                "numeric": column in NUMERIC_COLUMNS,
                "clip": column in CLIPPED_COLUMNS,
            }
            for column in columns
        ],
        "rows": [
            {"arn": arn, "cells": list(row_cells), "keys": list(row_keys)}
            for arn, row_cells, row_keys in zip(
                table["ARN"].tolist(), zip(*cells, strict=True), zip(*keys, strict=True), strict=True
            )
        ],
        "height": ROW_HEIGHT * (1 + min(len(table), VISIBLE_ROWS)) + 2,
        "shown": shown,
    }


def _first_number(text: str) -> int | None:
    found = re.search(r"\d+", text)
    return int(found.group()) if found else None


def _iso_times(values: pd.Series, unit: str) -> list[str]:
    """UTC times as ISO text to the ``unit`` (numpy's, ten times pandas' ``dt.strftime`` here)."""
    times = values.dt.tz_convert("UTC").to_numpy(dtype="datetime64[us]")
    return np.datetime_as_string(times, unit=unit).tolist()


def _cells(values: pd.Series) -> list[str]:
    """A column's cells as they read: Started with its year and seconds, a duration to a tenth of a
    second, a quality to three decimals, a missing figure blank."""
    if values.name == "Started":
        return [text.replace("T", " ") for text in _iso_times(values, "s")]
    listed = values.tolist()  # one conversion: element by element, pandas' string arrays are slow
    if values.name == "Duration (s)":
        return [f"{value:.1f}" for value in listed]
    if values.name == "Quality":
        return ["" if pd.isna(value) else f"{value:.3f}" for value in listed]
    return ["" if value is None else str(value) for value in listed]


def _sort_keys(values: pd.Series) -> list[Any]:
    """A column's sort keys: numbers for numbers (a missing one null, sorted last), the time for
    Started (ISO text sorts in time order), k by its first number (a fixed k, a sweep's chosen k,
    else the low end of its range: 10 after 2, not before), the text otherwise."""
    if values.name == "Started":
        return _iso_times(values, "us")
    listed = values.tolist()
    if values.name == "k":
        return [_first_number(str(value)) for value in listed]
    if values.name in NUMERIC_COLUMNS:
        return [None if pd.isna(value) else float(value) for value in listed]
    return ["" if value is None else str(value) for value in listed]


def _quality_keys(table: pd.DataFrame) -> list[float | None]:
    """Quality's sort keys, an order of merit: the column holds silhouettes (higher is better) and
    RMSEs (lower is better), which sorted as plain numbers put a 0.30 silhouette below a 25.1 RMSE
    and the worst price model above the best. A clustering run's key is minus its silhouette, less 2
    (-3 to -1), a price run's its RMSE (0 or more): the table's first sort (ascending) puts the
    clustering runs best first, then the price runs best first, as a user asking "which run is
    best?" wants; the second sort, worst first. No figure: null, sorted last either way."""
    keys: list[float | None] = []
    for workflow, value in zip(table["Workflow"].tolist(), table["Quality"].tolist(), strict=True):
        if value is None or pd.isna(value):
            keys.append(None)
        elif workflow in LOWER_IS_BETTER:
            keys.append(float(value))
        else:
            keys.append(-float(value) - _SILHOUETTE_KEY_OFFSET)
    return keys


def selected_execution(table: pd.DataFrame) -> str:
    """The session's selected execution if listed, else the first one (the table is not empty)."""
    current = st.session_state.get(Key.SELECTED_EXECUTION)
    return current if current in set(table["ARN"]) else table["ARN"].iloc[0]


def any_running(listing: Listing) -> bool:
    """Whether any listed run is still going (the table then refreshes)."""
    return any(item["status"] == "RUNNING" for item in listing.items)
