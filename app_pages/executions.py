"""Executions page: every run of both backends, and the selected one watched live like the console."""

from typing import Any

import pandas as pd
import streamlit as st

from pipeline.views import execution_view as ev
from pipeline.workflows.runs import failure_message
from ui import deep_link, execution_list, executions, runs, runs_table_component, step_panel
from ui.errors import show_error, show_warning
from ui.graph_component import workflow_graph
from ui.layout import scroll_to_top
from ui.metrics import metric_row
from ui.names import Key, Page
from ui.page import end_page
from ui.text import plain

st.title("Executions")
# Stop's progress, errors and warnings share one container, drawn even when empty, so the
# elements below keep their places from one run of the page to the next.
notices = st.container()

# A Stop the user confirmed is carried out first, so the listing below already shows its end.
stopping = executions.confirmed_stop()
if stopping:
    try:
        executions.carry_out_stop(stopping)
    except Exception as error:
        show_error(error, "Stopping the execution", container=notices)
    else:
        with notices, st.spinner("Stopping the execution…"):
            executions.wait_until_ended(stopping)

try:
    listing = runs.list_executions(st.session_state.get(Key.SELECTED_EXECUTION))
except Exception as error:
    show_error(error, "Listing the executions", container=notices)
    end_page()
for warning in listing.warnings:
    show_warning(warning, container=notices)
link_problem = deep_link.apply_run_link(listing)
if link_problem:
    show_warning(link_problem, container=notices)
if not listing.items:
    st.info("No executions yet: launch a clustering run on the Launch page.")
    st.page_link(Page.LAUNCH, label="Launch a run", icon=":material/rocket_launch:")
    end_page()

listed = execution_list.executions_table(listing)
selected = execution_list.selected_execution(listed)
st.session_state[Key.SELECTED_EXECUTION] = selected
running = listing.status_of(selected) == "RUNNING"
anything_running = execution_list.any_running(listing)
# While nothing runs, another run chosen in the box or the table reruns only the parts below
# that show the run (execution_list.RUN_PARTS), each of which reads it from the session.
execution_list.allow_switch_in_place(not anything_running)


@st.fragment(
    run_every=executions.REFRESH_SECONDS if anything_running else None, key=execution_list.RUNS_PART_KEY
)
def runs_part(anything_was_running: bool) -> None:
    """The "Run shown" box above the runs table (running runs first); a choice in either shows a run.

    A fragment: while a run goes it refreshes itself, so a run started meanwhile (the command line,
    another browser) joins the box and the table at once. It is a fragment whether or not a run
    goes: the browser drew a part that went from the page's own run to a fragment (or back) anew,
    and the box lost what the user was typing in it when a run started or the last one ended. The
    box and the table are fragments of their own in it: the box's and the table's callbacks make
    the run chosen the one shown and rerun the parts that show it, or the page
    (``execution_list.show_chosen``), with the box and the table, which follow it.
    """
    chosen = st.session_state[Key.SELECTED_EXECUTION]
    fresh = runs.list_executions(chosen) if anything_was_running else listing
    table = execution_list.executions_table(fresh)
    labels = {item["executionArn"]: execution_list.picker_option(item) for item in fresh.items}
    run_picker(list(table["ARN"]), labels)
    runs_table(table)
    if anything_was_running and not execution_list.any_running(fresh):
        st.rerun(scope="app")  # the last run ended: redraw once (Re-run comes back), stop polling
    if anything_was_running and fresh.status_of(chosen) != listing.status_of(chosen):
        # The run shown ended, seen here first: the page follows at once, rather than showing its
        # end in the table beside a status metric that waits for its own refresh (up to 1.5 s).
        st.rerun(scope="app")


@st.fragment(key=execution_list.PICKER_PART_KEY)
def run_picker(arns: list[str], labels: dict[str, str]) -> None:
    """The "Run shown" box: the run shown, chosen here or by a click on the table, a link or a
    launch (each sets the selected execution, which the box follows: set before it is drawn, never
    given as its index). Above the table, so the keyboard reaches it before the table's rows."""
    st.session_state[execution_list.PICKER_KEY] = st.session_state[Key.SELECTED_EXECUTION]
    st.selectbox(
        "Run shown",
        arns,
        format_func=labels.__getitem__,
        key=execution_list.PICKER_KEY,
        on_change=execution_list.follow_picker,
    )


@st.fragment(key=execution_list.TABLE_PART_KEY)
def runs_table(table: pd.DataFrame) -> None:
    """The runs table, the run shown marked; a click on a row shows its run
    (``execution_list.follow_table_pick``)."""
    st.session_state[Key.TABLE_ARNS] = list(table["ARN"])  # the runs a click may name
    runs_table_component.runs_table(
        execution_list.table_payload(table, st.session_state[Key.SELECTED_EXECUTION]),
        key=execution_list.TABLE_KEY,
        on_click=execution_list.follow_table_pick,
    )
    st.caption(execution_list.TABLE_CAPTION)


runs_part(anything_running)


@st.fragment(key=execution_list.RUN_HEADING_KEY)
def run_heading() -> None:
    """The run shown's name and full ARN, and its name in the address (the page's link to it)."""
    arn = st.session_state[Key.SELECTED_EXECUTION]
    deep_link.show_in_address(arn)
    st.subheader(plain(arn.rsplit(":", 1)[-1]))
    st.code(arn, language=None)  # the full ARN, with Streamlit's copy button


run_heading()

# Stop sits outside the refreshing part below: a refresh never redraws it under the pointer,
# and what the user asked is kept in session state until the backend has taken it. Its
# container is drawn even when empty, so the part below keeps its place when Stop goes away.
# It is not redrawn by a switch in place: that is between ended runs, which all show Re-run,
# and Re-run's click is a run of the page, which reads the run shown then.
with st.container():
    if running and executions.stop_asked(selected):
        question = executions.STOP_QUESTION
        if not executions.launched_here(selected):
            question = f"{executions.NOT_LAUNCHED_HERE} {question}"
        st.warning(question)
        yes, no = st.columns(2)
        yes.button(
            "Yes, stop it",
            key=f"stop_yes_{selected}",
            type="primary",
            on_click=executions.confirm_stop,
            args=(selected,),
        )
        no.button("Keep it running", key=f"stop_no_{selected}", on_click=executions.keep_running)
    elif running:
        st.button(
            "Stop",
            key=f"stop_{selected}",
            icon=":material/stop_circle:",
            on_click=executions.ask_to_stop,
            args=(selected,),
        )
    elif st.button("Re-run with the same parameters", key="rerun", icon=":material/replay:"):
        try:
            with st.spinner("Starting a new execution with the same data and parameters…"):
                executions.relaunch(selected)
        except Exception as error:
            show_error(error, "Re-running the execution")
        else:
            st.rerun()


@st.fragment(run_every=executions.REFRESH_SECONDS if running else None, key=execution_list.WATCH_KEY)
def watch(was_running: bool) -> None:
    """Status, graph, step details, timeline and history of the run shown; refreshed while it runs."""
    arn = st.session_state[Key.SELECTED_EXECUTION]
    try:
        view = executions.execution_view(arn, None if was_running else listing.status_of(arn))
    except Exception as error:
        show_error(error, "Reading the execution")
        return
    if was_running and view.status != "RUNNING":
        runs.forget_aws_listing()  # so the table (and the Stop button) see the end too
        st.rerun(scope="app")  # it just ended: redraw the whole page once, then stop polling

    metric_row(executions.status_metrics(view))
    description = view.description
    if description.get("error") or description.get("cause"):
        if view.status == "ABORTED":
            st.warning("The execution was stopped. Reason:")
        else:
            show_error(f"The execution ended {view.status}. Error and cause:")
        st.code(
            failure_message(description.get("error"), description.get("cause")),
            language=None,
            wrap_lines=True,
        )
    link = executions.results_link(listing.workflow_of(arn))
    if view.status == "SUCCEEDED" and link is not None:
        page, label, icon = link
        st.page_link(page, label=label, icon=icon)

    steps = executions.steps_of(arn, view)  # read once for an ended run, as its drawing
    names = list(dict.fromkeys(step.name for step in steps))
    if names:
        picker_key, followed_key = f"step_{arn}", f"step_followed_{arn}"
        shown = executions.step_shown_before(arn)  # the picker's, else what it showed last time
        step_shown = executions.step_to_show(steps, shown, st.session_state.get(followed_key))
        if step_shown != shown:
            st.session_state[picker_key] = st.session_state[followed_key] = step_shown
        elif st.session_state.get(picker_key) != step_shown or executions.newly_watched(arn):
            # A step picked before another run was shown; and on every switch to the run, since the
            # browser's new picker takes its value only from a run that sets it (a row click back to
            # a run showed its first step: the session still held the step, which the page then
            # did not set again).
            st.session_state[picker_key] = step_shown
    # The graph is drawn by watch, never outlined in its SVG: a step change then leaves it as it
    # is. It is one component for every run (ui.graph_component), which swaps in the run's SVG.
    # The step part outlines the chosen state by a style sheet; a click on a state reruns only
    # the step part (the component's callback names it), which reads the click.
    drawing = executions.graph_drawing(arn, view, steps)  # Map states say "3/9 done, 1 failed"
    st.subheader("Workflow")
    with st.container(key=executions.GRAPH_BOX_KEY):
        workflow_graph(drawing.markup, key=executions.GRAPH_KEY, on_click=executions.show_clicked_step)
    chosen_step(arn, steps, drawing.indices, view.status in executions.TERMINAL_STATUSES)
    executions.map_iterations_section(arn, view.events)

    # The timeline and the event history as tabs, as the Step Functions console has them, and
    # only the open one drawn: choosing another run redraws one chart or one grid, not both.
    tabs = st.tabs(list(executions.HISTORY_TABS), key=executions.HISTORY_TAB_KEY, on_change="rerun")
    for tab, label in zip(tabs, executions.HISTORY_TABS, strict=True):
        if not tab.open:
            continue
        with tab:
            if label == executions.TIMELINE_TAB:
                if steps:
                    # Plain HTML, not a Plotly chart: a chart mounted anew on every switch to
                    # another run (pipeline.views.timeline_html says what it cost).
                    st.html(executions.timeline_markup(arn, view, steps))
                else:
                    st.caption("No state has started yet.")
                continue
            event_history(arn, view.events)


def event_history(arn: str, events: list[dict[str, Any]]) -> None:
    """Every event of the execution as a grid, and one event's full details on demand."""
    st.dataframe(
        ev.history_table(events),
        hide_index=True,
        column_config={"Timestamp": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss.SSS")},
    )
    with st.expander("Event details"):
        by_id = {event["id"]: event for event in events}
        picked_event = st.selectbox(
            "Event", list(by_id), format_func=lambda i: f"{i} · {by_id[i]['type']}", key=f"event_{arn}"
        )
        if picked_event is not None:
            st.json(ev.event_details(by_id[picked_event]))


@st.fragment(key=executions.STEP_PART_KEY)
def chosen_step(arn: str, steps: list[ev.StepRun], boxes: dict[str, int], ended: bool) -> None:
    """The step picker and the chosen step's details, with the chosen state outlined in the graph.

    A fragment nested in ``watch``: choosing a step in the picker, or by a click on the graph
    (whose callback reruns this fragment by its key), reruns only this part, so the graph, the
    metrics, the Map section, the timeline and the event history, which do not depend on the
    step, are neither rebuilt nor redrawn. ``watch``'s refresh while the run goes calls it again.
    """
    picker_key = f"step_{arn}"
    names = list(dict.fromkeys(step.name for step in steps))
    # A click on a state is read once, so the state is outlined and its details shown in the
    # same run. A click on a state the run never reached says so.
    click = executions.take_click()
    not_run = None
    if click in names:
        st.session_state[picker_key] = click
    elif click is not None:
        not_run = click
    chosen = st.session_state.get(picker_key)
    if chosen in boxes:
        st.html(executions.outline_style(boxes[chosen], executions.drawing_id(arn)))
    with st.container(border=True, key=f"details_{arn}"):
        st.subheader("Step details")
        if not_run is not None:
            st.info(plain(f"“{not_run}” did not run in this execution, so it has no details."))
        if not names:
            st.info("No state has started yet.")
        else:
            name = st.selectbox("Step (or click a state in the graph)", names, key=picker_key)
            executions.remember_step(arn, name)
            step = step_panel.latest_visit(steps, name)
            if step is not None:
                content = step_panel.content_of(step, arn, steps.index(step), ended=ended)
                step_panel.draw(step, arn, executions.region_of(arn), executions.step_took(step), content)


watch(running)


@st.fragment(run_every=executions.IDLE_REFRESH_SECONDS)
def new_runs_watch(shown: tuple[tuple[str, str], ...]) -> None:
    """While nothing runs, a look every few seconds for a run started elsewhere (the command line,
    another browser): the page is drawn again when the runs listed change. Draws nothing."""
    try:
        now = runs.list_executions(st.session_state.get(Key.SELECTED_EXECUTION))
    except Exception:  # the page shows the listing it has; the next look tries again
        return
    if now.signature() != shown:
        st.rerun(scope="app")


if not execution_list.any_running(listing):
    new_runs_watch(listing.signature())  # while a run goes, runs_part refreshes the runs itself
if st.session_state.pop(Key.ARRIVED_FROM_LAUNCH, False):
    scroll_to_top()  # Launch's button is far down its page, and a page switch keeps the scroll
