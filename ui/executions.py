"""The Executions page's logic: the runs table, one execution's view (cached once finished), Stop.

Finished executions never change, so their description, history and definition are cached
by ARN (``st.cache_data``): switching between finished runs or touching a widget reruns the
page without reading the run store or calling AWS again. A RUNNING execution is read fresh on
every refresh. The listing itself is :mod:`ui.runs`, shared with the Clusters page.

Stop is a request kept in session state, not a button's momentary value: the Stop and
confirmation buttons only record what the user asked (:func:`ask_to_stop`,
:func:`confirm_stop`), and the page carries the confirmed request out at the top of its next
run (:func:`carry_out_stop`), clearing it only once the backend has taken it. The buttons
live outside the auto-refreshing part of the page, so a refresh never redraws them under the
user's pointer, and a run interrupted by another click leaves the request for the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from pipeline.executions import TERMINAL_STATUSES, StillWaiting, wait_for_execution
from pipeline.views.text import seconds_text
from ui.backend import backend, backend_of
from ui.layout import drawn_when_open
from ui.names import Key, Page
from ui.runs import forget_aws_listing, launched_here, remember_launched
from ui.text import plain

if TYPE_CHECKING:
    from pipeline.views.execution_view import StepRun
    from pipeline.views.graph_svg import WorkflowSvg

#: Seconds between two refreshes of a RUNNING execution.
REFRESH_SECONDS = 1.5
#: Seconds between two looks for a run started elsewhere while none runs (a local listing is a
#: read of the run store; aws's is cached ``ui.runs.AWS_LISTING_TTL_SECONDS``).
IDLE_REFRESH_SECONDS = 5.0
#: Seconds the page waits, after Stop, for the execution to record its end.
STOP_WAIT_SECONDS = 15.0


#: Where a succeeded run's results are shown, by workflow: (page, link label, icon).
RESULTS_PAGES: dict[str, tuple[str, str, str]] = {
    "clustering": (Page.CLUSTERS, "Explore the clusters of this run", ":material/scatter_plot:"),
    "price-regression": (Page.PRICES, "See the price predictions of this run", ":material/price_check:"),
}


def results_link(workflow: str | None) -> tuple[str, str, str] | None:
    """The (page, label, icon) of the page showing a succeeded run of ``workflow``, if any."""
    return RESULTS_PAGES.get(workflow or "")


@dataclass(frozen=True)
class ExecutionView:
    """What the page draws for one execution: its description, events and definition."""

    description: dict[str, Any]
    events: list[dict[str, Any]]
    definition: dict[str, Any]

    @property
    def status(self) -> str:
        """``RUNNING``, ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``."""
        return self.description["status"]


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _definition(backend_name: str, state_machine_arn: str) -> dict[str, Any]:
    return backend(backend_name).state_machine_definition(state_machine_arn)


def _read(execution_arn: str) -> ExecutionView:
    runner = backend_of(execution_arn)
    description = runner.describe(execution_arn)
    events = runner.history(execution_arn)
    if description["status"] == "RUNNING" and any(e["type"].startswith("Execution") for e in events[1:]):
        description = runner.describe(execution_arn)  # it ended between the two reads
    definition = _definition(runner.name, description["stateMachineArn"])
    return ExecutionView(description, events, definition)


@st.cache_data(max_entries=32, show_spinner=False)
def _finished(execution_arn: str) -> ExecutionView:
    return _read(execution_arn)


def execution_view(execution_arn: str, listed_status: str | None = None) -> ExecutionView:
    """One execution's description, history and definition; cached once it has finished.

    ``listed_status`` is the status the executions table showed: a terminal one is final, so
    the cached view is used without asking the backend.
    """
    if listed_status in TERMINAL_STATUSES:
        return _finished(execution_arn)
    view = _read(execution_arn)
    return _finished(execution_arn) if view.status in TERMINAL_STATUSES else view


def steps_of(execution_arn: str, view: ExecutionView) -> list[StepRun]:
    """The run's visits of its states (``execution_view.step_runs``); read once for a run that has
    ended. Shared: callers read them, never change them."""
    from pipeline.views.execution_view import step_runs

    if view.status in TERMINAL_STATUSES:
        return _ended_steps(execution_arn, view)
    return step_runs(view.events, view.status)


@st.cache_resource(max_entries=32, show_spinner=False)
def _ended_steps(execution_arn: str, _view: ExecutionView) -> list[StepRun]:
    from pipeline.views.execution_view import step_runs

    return step_runs(_view.events, _view.status)


def graph_drawing(execution_arn: str, view: ExecutionView, steps: list[Any]) -> WorkflowSvg:
    """The run's workflow graph as Executions draws it (``graph_svg.workflow_drawing``: selectable,
    fluid, named by :func:`drawing_id`); built once for a run that has ended."""
    if view.status in TERMINAL_STATUSES:
        return _ended_drawing(execution_arn, view, steps)
    return _drawing(execution_arn, view, steps)


def timeline_markup(execution_arn: str, view: ExecutionView, steps: list[Any]) -> str:
    """The run's timeline (``timeline_html``: a row a visit, a sweep's visits named by their k);
    built once for a run that has ended."""
    if view.status in TERMINAL_STATUSES:
        return _ended_timeline(execution_arn, view, steps)
    return _timeline(view, steps)


# An ended run's history is final: its drawing and timeline are built once (keyed by its ARN;
# the view and steps, the same for every call, are not hashed), not on every switch to the run.
@st.cache_data(max_entries=32, show_spinner=False)
def _ended_drawing(execution_arn: str, _view: ExecutionView, _steps: list[Any]) -> WorkflowSvg:
    return _drawing(execution_arn, _view, _steps)


@st.cache_data(max_entries=32, show_spinner=False)
def _ended_timeline(execution_arn: str, _view: ExecutionView, _steps: list[Any]) -> str:
    return _timeline(_view, _steps)


def _drawing(execution_arn: str, view: ExecutionView, steps: list[Any]) -> WorkflowSvg:
    from pipeline.views import graph_svg, map_iterations

    return graph_svg.workflow_drawing(
        view.definition,
        steps,
        map_iterations.progress_labels(view.events),  # "3/9 done, 1 failed" on each Map state
        selectable=True,
        fluid=True,
        drawing_id=drawing_id(execution_arn),
    )


def _timeline(view: ExecutionView, steps: list[Any]) -> str:
    from pipeline.views import execution_view as ev
    from pipeline.views import map_iterations, timeline_html

    description = view.description
    iterations = map_iterations.visit_labels(view.events, view.definition)  # "k=3"
    visits = ev.timeline(steps, iterations=iterations)
    return timeline_html.timeline_html(visits, description["startDate"], description.get("stopDate"))


def status_metrics(view: ExecutionView, now: dt.datetime | None = None) -> list[tuple[str, ...]]:
    """The headline figures of an execution for ``ui.metrics.metric_row``."""
    description = view.description
    start = description["startDate"]
    stop = description.get("stopDate")
    end = stop or now or dt.datetime.now(dt.UTC)
    return [
        ("Status", plain(view.status)),
        ("Started", f"{start:%Y-%m-%d %H:%M:%S}", f"{start:%Y-%m-%d %H:%M:%S %Z}"),
        (
            "Stopped",
            (f"{stop:%H:%M:%S}" if stop.date() == start.date() else f"{stop:%Y-%m-%d %H:%M:%S}")
            if stop
            else "–",
        ),
        ("Duration", format_seconds((end - start).total_seconds())),
    ]


def step_label(step: Any) -> str:
    """A step's title: name, status and how long it took (so far, while it runs)."""
    return f"{step.name} · {step.status} · {step_took(step)}"


def step_took(step: Any) -> str:
    """How long a step took, or has taken so far while it runs."""
    return format_seconds(step.elapsed_seconds()) + (" so far" if step.exited is None else "")


def default_step(steps: list[Any]) -> str:
    """The step the details panel opens on: the task whose error was caught (the real failure),
    else the failed state, else the running one, else the last."""
    for wanted in ("caught error", "failed", "in progress"):
        found = [step.name for step in steps if step.status == wanted]
        if found:
            return found[-1]
    return steps[-1].name


def step_to_show(steps: list[Any], shown: str | None, followed: str | None) -> str:
    """The step the details panel shows: the one the user picked, else the run's default step.

    ``shown`` is the step the panel shows now, ``followed`` the default the page chose for it
    last time. While the user has not picked another step the panel follows the run (the
    running step, then the one that failed), instead of staying on the step that was running
    when the page was opened.
    """
    if shown != followed and shown in {step.name for step in steps}:
        return shown
    return default_step(steps)


#: The key of the step part's fragment (``st.rerun(STEP_PART_KEY)`` reruns only it).
STEP_PART_KEY = "executions_step_part"
#: The key of the container around the workflow graph (its CSS class: ``st-key-exec_graph``).
GRAPH_BOX_KEY = "exec_graph"
#: The graph component's key: one for every run, so the browser keeps the component and swaps
#: the run's SVG into it (``ui.graph_component`` says why).
GRAPH_KEY = "exec_graph_states"
#: Set by the graph's click callback: the state the click named, read once by the step part.
GRAPH_CLICK_KEY = "exec_graph_click"
#: The step last shown of each run this session (ARN -> state): Streamlit forgets a widget's
#: value when a run draws it not (the step picker is one a run), so a step picked on one run was
#: lost after looking at another.
STEPS_SHOWN_KEY = "exec_steps_shown"


#: The run watch drew last in this session: :func:`newly_watched` tells a switch from a refresh.
WATCHED_KEY = "exec_watched"


def newly_watched(execution_arn: str) -> bool:
    """Whether watch draws ``execution_arn`` for the first time since it drew another run (or
    ever), and note that it does."""
    if st.session_state.get(WATCHED_KEY) == execution_arn:
        return False
    st.session_state[WATCHED_KEY] = execution_arn
    return True


def remember_step(execution_arn: str, name: str) -> None:
    """Keep ``name`` as the step shown of ``execution_arn`` (:data:`STEPS_SHOWN_KEY`)."""
    st.session_state.setdefault(STEPS_SHOWN_KEY, {})[execution_arn] = name


def step_shown_before(execution_arn: str) -> str | None:
    """The step the picker of ``execution_arn`` shows, or showed when the run was last drawn."""
    picked = st.session_state.get(f"step_{execution_arn}")
    return picked if picked is not None else st.session_state.get(STEPS_SHOWN_KEY, {}).get(execution_arn)


def show_clicked_step() -> None:
    """The graph's click callback: keep the state clicked, rerun only the step part, which reads it."""
    from ui.graph_component import clicked

    st.session_state[GRAPH_CLICK_KEY] = clicked(GRAPH_KEY)
    st.rerun(STEP_PART_KEY)


def take_click() -> str | None:
    """The state a click on the graph named since the step part last ran, once."""
    name = st.session_state.pop(GRAPH_CLICK_KEY, None)
    return name if isinstance(name, str) else None


#: The chosen state's outline (as ``SELECTED_BORDER`` was in the plotly graph).
SELECTED_BORDER = "#111111"


def drawing_id(execution_arn: str) -> str:
    """The name of a run's graph drawing (``workflow_drawing(drawing_id=...)``): hex digits of the
    ARN's hash, safe in a style sheet as they are."""
    return hashlib.sha1(execution_arn.encode(), usedforsecurity=False).hexdigest()[:12]


def outline_style(box_index: int, drawing: str) -> str:
    """A style sheet outlining the state ``box_index`` (its ``data-index`` in
    ``graph_svg.workflow_drawing``) of the drawing named ``drawing`` (:func:`drawing_id`).

    Named, because the step part's style sheet reaches the page a frame or more before the
    component swaps the next run's SVG in: it would outline a box of the run shown before. Only
    numbers and hex digits: nothing from the run's data."""
    if not re.fullmatch(r"[0-9a-f]+", drawing):
        raise ValueError(f"not a drawing id: {drawing!r}")
    return (
        f'<style>.st-key-{GRAPH_BOX_KEY} svg[data-drawing="{drawing}"] [data-index="{int(box_index)}"] > rect'
        f"{{stroke:{SELECTED_BORDER}!important;stroke-width:4px!important}}</style>"
    )


def region_of(execution_arn: str) -> str:
    """The region part of an execution ARN (``local`` for the local engine)."""
    parts = execution_arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def relaunch(execution_arn: str) -> str:
    """Start a new execution with the data and parameters of ``execution_arn``, select it; its ARN."""
    new_arn = backend_of(execution_arn).relaunch(execution_arn)
    st.session_state[Key.SELECTED_EXECUTION] = new_arn
    remember_launched(new_arn)
    forget_aws_listing()
    return new_arn


# Stop: a request in session state ------------------------------------------------------------


#: The question before a stop, and what is added for a run this session did not launch.
STOP_QUESTION = "Stop this execution? It ends ABORTED and cannot be resumed."
NOT_LAUNCHED_HERE = (
    "This run was not launched from this browser session: someone else sharing this app may be "
    "waiting for it, or it was started from the command line."
)


def stop_cause(execution_arn: str) -> str:
    """The cause recorded with a stop, which the run's page shows to everyone watching it."""
    if launched_here(execution_arn):
        return "Stopped from the Executions page by the session that launched it."
    return "Stopped from the Executions page of a browser session that did not launch it."


def ask_to_stop(execution_arn: str) -> None:
    """The callback of Stop: the user wants to stop ``execution_arn``; the page asks to confirm."""
    st.session_state[Key.STOP_ASKED] = execution_arn


def keep_running() -> None:
    """The callback of "Keep it running": forget the question."""
    st.session_state.pop(Key.STOP_ASKED, None)


def confirm_stop(execution_arn: str) -> None:
    """The callback of "Yes, stop it": record the request; the page carries it out in this very run."""
    st.session_state[Key.STOP_CONFIRMED] = execution_arn
    st.session_state.pop(Key.STOP_ASKED, None)


def stop_asked(execution_arn: str) -> bool:
    """Whether the page should ask to confirm stopping ``execution_arn``."""
    return st.session_state.get(Key.STOP_ASKED) == execution_arn


def confirmed_stop() -> str | None:
    """The execution the user confirmed to stop and that the backend has not been asked to stop yet."""
    return st.session_state.get(Key.STOP_CONFIRMED)


def carry_out_stop(execution_arn: str) -> None:
    """Ask the backend to stop ``execution_arn``; the request is dropped once the backend took it.

    No Streamlit element is drawn before the backend call, so nothing can interrupt the run
    between reading the request and acting on it. If the backend refuses (the execution
    already ended, AWS denied it), the request is dropped too and the error raised for the page.
    """
    try:
        backend_of(execution_arn).stop(execution_arn, cause=stop_cause(execution_arn))
    finally:
        st.session_state.pop(Key.STOP_CONFIRMED, None)
        forget_aws_listing()


def wait_until_ended(execution_arn: str, timeout: float = STOP_WAIT_SECONDS) -> str:
    """Poll an execution (after Stop) until it is no longer RUNNING or ``timeout`` passes; its status."""
    try:
        description = wait_for_execution(
            backend_of(execution_arn).describe, execution_arn, timeout=timeout, interval=0.2
        )
    except StillWaiting as waiting:
        description = waiting.description
    return description["status"]


def format_seconds(seconds: float | None) -> str:
    """``83.4`` -> ``1 min 23 s``; short runs keep tenths (``2.5 s``), a state of a few
    milliseconds its milliseconds (``3 ms``, as its box's tooltip)."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return seconds_text(seconds)
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def map_iterations_section(execution_arn: str, events: list[dict[str, Any]]) -> None:
    """Each Map state's iterations, as the console's Map view: counts, then one row and one
    expander an iteration (its input, output, training job and any error); nothing without a Map.

    An iteration's expander draws its JSON views only while it is open (``drawn_when_open``):
    closed, a k sweep of nine k still mounted eighteen JSON viewers on every switch to the run."""
    from pipeline.views import map_iterations as mi
    from pipeline.workflows.runs import failure_message
    from ui.metrics import metric_row

    ended_early = (("Aborted", mi.ABORTED), ("Not started", mi.NOT_STARTED))  # shown when not 0
    for run in mi.map_runs(events):
        counts = run.counts()
        st.subheader(plain(f"Map state: {run.name}"))
        # Running and Pending only while the Map runs: an ended Map has neither, and "Pending 0"
        # beside "Not started 5" read as two names for the same items.
        going = [] if run.ended else [("Running", mi.RUNNING), ("Pending", mi.PENDING)]
        metric_row(
            [
                ("Iterations", str(run.length)),
                ("Succeeded", str(counts[mi.SUCCEEDED])),
                *[(label, str(counts[status])) for label, status in going],
                ("Failed", str(counts[mi.FAILED] + counts[mi.CAUGHT])),
                # A stopped or failed Map: its aborted iterations and the items it never started.
                *[(label, str(counts[status])) for label, status in ended_early if counts[status]],
            ]
        )
        if counts[mi.CAUGHT]:
            st.caption(f"{counts[mi.CAUGHT]} iteration(s) failed and were caught inside the iteration.")
        st.dataframe(pd.DataFrame(mi.iterations_table(run)), hide_index=True)
        for iteration in run.iterations:
            job = f" · {iteration.training_job}" if iteration.training_job else ""
            label = plain(f"Iteration {iteration.index} · {iteration.status}{job}")
            key = f"map_iteration_open_{execution_arn}_{run.name}_{iteration.index}"
            with drawn_when_open(label, key) as opened:
                if not opened:
                    continue
                st.markdown("**Input**")
                st.json(iteration.input, expanded=False)
                if iteration.output is not None:
                    st.markdown("**Output**")
                    st.json(iteration.output, expanded=False)
                if iteration.error or iteration.cause:
                    st.markdown("**Error**")
                    st.code(failure_message(iteration.error, iteration.cause), language=None, wrap_lines=True)


#: The tab with the steps' timeline (the default) and the one with the event history, below the
#: step details; only the open one is drawn (``st.tabs(on_change="rerun")``).
TIMELINE_TAB = "Timeline"
HISTORY_TABS: tuple[str, ...] = (TIMELINE_TAB, "Event history")
#: One key for every run: the tab a user opened stays open when they choose another run.
HISTORY_TAB_KEY = "execution_history_tab"
