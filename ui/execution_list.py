"""The Executions page's runs table: running runs first, parameters and quality, a row click selects.

The table is redrawn by a refreshing fragment while runs go, so durations grow live. A click
on a row selects that run; ``st.dataframe`` reports the clicked row's position, which a
refresh may give to another run (a new run listed first, a run ending), so the page acts on a
row pick in the table's callback (:func:`follow_table_pick`), which Streamlit calls only when
the pick itself changed, never because the rows under it moved.

A choice in the "Run shown" box or a click on a row is acted on in the widget's callback. While
nothing runs, it reruns only the page's parts that show the run (:data:`RUN_PARTS`, fragments),
not the page: the title, the sidebar, the navigation and the runs table stay as they are (a click
on a row reruns the box, which follows it), and the server makes one short run instead of two
(the fragment's, which handed over to the page's). A run that goes, before or after the switch,
needs the page's own run: the Stop button and the live refresh are set up there."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pandas as pd
import streamlit as st

from pipeline.executions import TERMINAL_STATUSES
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
#: Pixels between the "Run shown" box and the table: the grid's toolbar (shown on hover, above
#: its top right corner) covered the box's arrow without them.
TOOLBAR_ROOM = 16
#: The widget key of the table (its selection lives in session state under it).
TABLE_KEY = "executions_table"
_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
#: The figure a quality gate's Fail cause quotes: the clustering gate's silhouette, the price
#: regression's validation RMSE ("Validation RMSE 31.2 is above the threshold 30: ...").
_GATE_FIGURES = (re.compile(rf"silhouette {_NUMBER}"), re.compile(rf"Validation RMSE {_NUMBER}"))
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
    runs and statuses), not on every rerun (~7 ms each). It does not say which run is shown (the
    "Run shown" box above it does), so choosing another run leaves it as it is."""
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


#: Under the runs table. A row is ticked only while the run the user ticked is shown
#: (:func:`settle_tick`), so the box names the run shown.
TABLE_CAPTION = (
    "The run shown below is the one in “Run shown” above: choose another there, or tick the box at the "
    "left of its row. Click a column header to sort."
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
#: The runs part (the box and the table, refreshed while a run goes) and its two fragments. A click
#: on a row reruns the box's part, so that the box follows, and not the table's: the browser shows
#: the tick, and the grid was a fifth of the browser's work a switch (benchmarks/README.md, round
#: 20). A choice in the box reruns neither, unless a row is ticked: then the table's part takes the
#: tick off (:func:`settle_tick`).
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
    """The run chosen in the "Run shown" box becomes the run shown (:func:`show_chosen`).

    The box is there beside the table because Streamlit's dataframe holds a row click back 150 ms
    before it tells the server (its selection debounce, 1.67), and a select box can be used from
    the keyboard and searched by typing a run's name."""
    chosen = st.session_state[PICKER_KEY]
    if not is_execution_arn(chosen):  # a label the box no longer offers (see picker_option)
        return
    # A row ticked names the run left: the table's part, rerun for it, takes the tick off.
    show_chosen(chosen, also=(TABLE_PART_KEY,) if table_rows() else ())


def follow_table_pick() -> None:
    """The runs table's selection callback: a row ticked shows its run (:func:`show_chosen`).

    Streamlit calls it when the selection changed, never because a refresh moved other runs
    under a ticked row. The row's position is read against the ARNs in the order the table was
    drawn (:data:`Key.TABLE_ARNS`), which is the table the user clicked."""
    arns = st.session_state.get(Key.TABLE_ARNS) or []
    rows = table_rows()
    if not rows or rows[0] >= len(arns):  # a tick taken off, or a table since redrawn shorter
        return
    # The box follows the click. The table is drawn again only when its last drawing carried a
    # selection set by the app (settle_tick): the browser's grid applies such a selection only when
    # it differs from the one its last drawing carried, so a second "no row" in a row was ignored,
    # the user's tick stayed, and the next rerun sent it back as a new pick (found in review).
    redraw = (TABLE_PART_KEY,) if st.session_state.get(Key.TABLE_SELECTION_SET) else ()
    show_chosen(arns[rows[0]], also=(PICKER_PART_KEY, *redraw))


def is_execution_arn(value: Any) -> bool:
    """Whether ``value`` reads as an execution's ARN (either backend's), not a label."""
    return isinstance(value, str) and value.startswith("arn:") and ":execution:" in value


def column_config() -> dict[str, Any]:
    """How the table's columns read: whole statuses, the year in Started, numbers with fixed decimals."""
    return {
        # Wide enough for the longest status (SUCCEEDED, TIMED_OUT): auto-sizing cut it at 1400 px.
        "Status": st.column_config.TextColumn(width=110),
        # A long file name is cut in its cell (its whole name on hover), not widening the column.
        "Dataset": st.column_config.TextColumn(width="medium"),
        "Started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
        "Duration (s)": st.column_config.NumberColumn(format="%.1f"),
        "k": st.column_config.TextColumn(help="A sweep shows its range, and the k it chose once it has."),
        "Threshold": st.column_config.TextColumn(help="The quality gate the run had to pass."),
        # Room for the header beside the menu icon a hover shows (auto-sizing left "Qua" at 800 px).
        "Quality": st.column_config.NumberColumn(
            format="%.3f",
            width=96,
            help=(
                "How good the run's model is, held to its Threshold: the silhouette for a clustering "
                "run (-1 to 1, higher is better), the validation RMSE for a price regression (in the "
                "currency of the prices, lower is better). None while the run goes, or when it ended before "
                "it had one."
            ),
        ),
    }


def selected_execution(table: pd.DataFrame) -> str:
    """The session's selected execution if listed, else the first one (the table is not empty)."""
    current = st.session_state.get(Key.SELECTED_EXECUTION)
    return current if current in set(table["ARN"]) else table["ARN"].iloc[0]


def settle_tick(shown: str, drawn_before: list[str], arns: list[str]) -> bool:
    """Keep a tick in the runs table on the run ``shown`` or take it off; called before the table
    is drawn with its rows' runs ``arns`` (``drawn_before``: the ARNs of its rows as last drawn).

    A tick is the user's click on the run shown. A refresh while a run goes may move that run to
    another row: the tick moves with it. A choice in the "Run shown" box, a link or a launch shows
    another run: the tick is taken off (rather than moved to that run's row, which would redraw the
    table on every later choice in the box too). Streamlit (1.67) lets the app set a table's
    selection through its key, and keeps the user's sort while it does. Whether it set the
    selection (the table's drawing then carries it, :data:`Key.TABLE_SELECTION_SET`)."""
    rows = table_rows()
    if not rows or (rows[0] < len(arns) and arns[rows[0]] == shown):
        return False
    was_shown = rows[0] < len(drawn_before) and drawn_before[rows[0]] == shown and shown in arns
    st.session_state[TABLE_KEY] = {"selection": {"rows": [arns.index(shown)] if was_shown else []}}
    return True


def table_rows() -> list[int]:
    """The rows ticked in the runs table, as its widget state holds them (empty before any click)."""
    state = st.session_state.get(TABLE_KEY)
    try:
        return [int(row) for row in state["selection"]["rows"]]
    except (KeyError, TypeError, ValueError):
        return []


def any_running(listing: Listing) -> bool:
    """Whether any listed run is still going (the table then refreshes)."""
    return any(item["status"] == "RUNNING" for item in listing.items)
