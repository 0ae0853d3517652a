"""Executions page: every run of both backends, and the selected one watched live like the console."""

import streamlit as st

from pipeline.views import execution_view as ev
from pipeline.views.graph import legend_dot, workflow_dot
from pipeline.workflows.runs import failure_message
from ui import executions, runs
from ui.errors import show_error, show_warning
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
if not listing.items:
    st.info("No executions yet: launch a clustering run on the Launch page.")
    st.page_link(Page.LAUNCH, label="Launch a run", icon=":material/rocket_launch:")
    end_page()

table = executions.executions_table(listing)
st.dataframe(
    table.drop(columns="ARN"),
    hide_index=True,
    column_config={"Started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")},
)
labels = {row.ARN: executions.execution_label(row) for row in table.itertuples(index=False)}
arns = list(labels)
selected = st.selectbox(
    "Execution", arns, index=arns.index(executions.selected_execution(table)), format_func=labels.get
)
st.session_state[Key.SELECTED_EXECUTION] = selected
running = listing.status_of(selected) == "RUNNING"

# Stop sits outside the refreshing part below: a refresh never redraws it under the pointer,
# and what the user asked is kept in session state until the backend has taken it. Its
# container is drawn even when empty, so the part below keeps its place when Stop goes away.
with st.container():
    if running and executions.stop_asked(selected):
        st.warning("Stop this execution? It ends ABORTED and cannot be resumed.")
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

if st.button("Re-run with the same parameters", key="rerun", icon=":material/replay:"):
    try:
        with st.spinner("Starting a new execution with the same data and parameters…"):
            executions.relaunch(selected)
    except Exception as error:
        show_error(error, "Re-running the execution")
    else:
        st.rerun()


@st.fragment(run_every=executions.REFRESH_SECONDS if running else None)
def watch(arn: str, was_running: bool) -> None:
    """Status, graph, steps, timeline and history of one execution; refreshed while it runs."""
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

    steps = ev.step_runs(view.events, view.status)
    graph_column, steps_column = st.columns([2, 3])
    with graph_column:
        st.subheader("Workflow")
        st.graphviz_chart(workflow_dot(view.definition, ev.state_statuses(view.events, view.status)))
        st.graphviz_chart(legend_dot())
    with steps_column:
        st.subheader("Steps")
        for step in steps:
            with st.expander(plain(executions.step_label(step))):
                if step.resource:
                    st.caption(plain(f"{step.resource}, {step.attempts} attempt(s)"))
                st.markdown("**Input**")
                st.json(step.input, expanded=False)
                if step.output is not None:
                    st.markdown("**Output**")
                    st.json(step.output, expanded=False)
                if step.error or step.cause:
                    st.markdown("**Error**")
                    st.code(failure_message(step.error, step.cause), language=None, wrap_lines=True)
    executions.map_iterations_section(view.events)
    if steps:
        st.subheader("Timeline")
        st.plotly_chart(ev.timeline_figure(ev.timeline(steps)))

    st.subheader("Event history")
    st.dataframe(
        ev.history_table(view.events),
        hide_index=True,
        column_config={"Timestamp": st.column_config.DatetimeColumn(format="HH:mm:ss.SSS")},
    )
    with st.expander("Event details"):
        by_id = {event["id"]: event for event in view.events}
        chosen = st.selectbox(
            "Event", list(by_id), format_func=lambda i: f"{i} · {by_id[i]['type']}", key=f"event_{arn}"
        )
        if chosen is not None:
            st.json(ev.event_details(by_id[chosen]))


watch(selected, running)
