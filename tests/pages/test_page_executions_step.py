"""A step change on the Executions page reruns only the step's part (issue 10: under 0.3 s).

The browser reruns only the fragment a widget was drawn in. AppTest reruns the whole script
on every interaction, so these tests send the rerun as the browser does: with the fragment id
the browser read from the widget's delta (``RerunData.fragment_id``). Which parts of the page
were built is counted by wrapping the real functions that build them (they still run).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import streamlit as st
import streamlit.testing.v1.local_script_runner as local_script_runner
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import ElementTree
from support.page_support import APP, click_state, graph_markup, timelines, workflow_graph

import ui.backend
import ui.executions
import ui.step_panel
from pipeline.backends.local import LocalBackend
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.views import execution_view, graph_svg, timeline_html
from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import execution_list
from ui.names import Key, Page

RUN_TIMEOUT = 180
TRAIN_STATE = "Train KMeans"


def local_backend() -> LocalBackend:
    return LocalBackend(LocalStepFunctionsClient(mode="thread"))


@pytest.fixture(scope="module")
def succeeded(sample_dataset, tmp_path_factory) -> dict[str, Any]:
    """A private data directory holding two SUCCEEDED clustering runs of the sample: ``arn``
    (k = 4, the newest) and ``other`` (k = 3), which took the same way through the workflow."""
    home = tmp_path_factory.mktemp("executions-step-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        path = home / "sample.parquet"
        sample_dataset.transactions.to_parquet(path, index=False)
        backend = local_backend()
        runs = {}
        for name, k in (("other", 3), ("arn", 4)):
            runs[name] = backend.launch(
                path, ClusteringParameters(k=k, quality_threshold=-1.0), dataset_name="sample"
            )
            wait_for_status(backend.client, runs[name], RUN_TIMEOUT)
    return {"home": home, **runs}


@pytest.fixture
def messages(succeeded, monkeypatch) -> list[ForwardMsg]:
    """The app's home and backend set for the test; the deltas of the latest AppTest run."""
    monkeypatch.setenv("RFM_STUDIO_HOME", str(succeeded["home"]))
    real = ui.backend.get_backend
    monkeypatch.setattr(
        ui.backend, "get_backend", lambda name: local_backend() if name == "local" else real(name)
    )
    ui.backend.backend.clear()
    st.cache_data.clear()
    st.cache_resource.clear()  # an ended run's visits and step panel too
    recorded: list[ForwardMsg] = []
    parse = local_script_runner.parse_tree_from_messages

    def recording(msgs: list[ForwardMsg]) -> Any:
        recorded[:] = msgs
        return parse(msgs)

    monkeypatch.setattr(local_script_runner, "parse_tree_from_messages", recording)
    yield recorded
    ui.backend.backend.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def built(monkeypatch) -> Counter:
    """How many times each part of the page was built: its real builder, wrapped to count calls."""
    calls: Counter = Counter()

    def count(owner: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(real)
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    count(ui.executions, "status_metrics")
    count(ui.executions, "map_iterations_section")
    count(timeline_html, "timeline_html")
    count(execution_view, "history_table")
    count(graph_svg, "workflow_drawing")
    count(ui.step_panel, "draw")
    count(ui.step_panel, "panel_content")
    count(execution_view, "step_runs")
    return calls


def executions_definition(arn: str) -> dict[str, Any]:
    """The definition of the state machine that ran ``arn`` (what the page draws)."""
    backend = local_backend()
    machine = backend.client.describe_execution(executionArn=arn)["stateMachineArn"]
    return backend.state_machine_definition(machine)


def open_page(arn: str, *, history: bool = False) -> AppTest:
    """Executions on ``arn``; with ``history``, the Event history tab open instead of the timeline."""
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.session_state[Key.SELECTED_EXECUTION] = arn
    if history:
        at.session_state[ui.executions.HISTORY_TAB_KEY] = "Event history"
    at.run()
    at.switch_page(Page.EXECUTIONS).run()
    assert not at.exception, at.exception
    return at


def fragment_of(messages: list[ForwardMsg], element_kind: str, key: str) -> str:
    """The fragment id the browser sends back when the element drawn with ``key`` changes."""
    for msg in messages:
        if msg.HasField("delta") and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == element_kind and getattr(element, element_kind).id.endswith(key):
                return msg.delta.fragment_id
    raise AssertionError(f"no {element_kind} keyed {key} was drawn")


def rerun_as_the_browser(
    at: AppTest, fragment_id: str, monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any] | None = None
) -> None:
    """Run ``at`` once (or call ``run``) as the browser reruns after a change in the fragment
    ``fragment_id``."""
    monkeypatch.setattr(
        local_script_runner, "RerunData", functools.partial(RerunData, fragment_id=fragment_id)
    )
    try:
        (run or at.run)()
    finally:
        monkeypatch.setattr(local_script_runner, "RerunData", RerunData)
    assert not at.exception, at.exception


def outlined_state(at: AppTest, arn: str) -> str:
    """The state the step part outlines: the graph's box its one style sheet styles."""
    [style] = [element.proto.body for element in at.get("html") if "data-index" in element.proto.body]
    [index] = re.findall(r"data-index=\\?\"(\d+)", style)
    [drawing] = re.findall(r"data-drawing=\\?\"(\w+)", style)
    assert drawing == ui.executions.drawing_id(arn)  # this run's drawing, no other
    boxes = graph_svg.workflow_drawing(executions_definition(arn), [], selectable=True).indices
    return next(name for name, box in boxes.items() if box == int(index))


def test_the_step_picker_is_drawn_in_a_fragment_of_its_own_apart_from_the_graph(succeeded, messages):
    arn = succeeded["arn"]
    open_page(arn, history=True)

    picker = fragment_of(messages, "selectbox", f"step_{arn}")
    graph = fragment_of(messages, "bidi_component", ui.executions.GRAPH_KEY)
    history_picker = fragment_of(messages, "selectbox", f"event_{arn}")

    assert picker and graph and picker != graph  # a step change does not redraw the graph
    assert graph == history_picker  # the graph is drawn with the rest of the watched run


def test_a_step_change_rebuilds_the_step_panel_and_nothing_else(succeeded, messages, built, monkeypatch):
    arn = succeeded["arn"]
    at = open_page(arn)
    picker = fragment_of(messages, "selectbox", f"step_{arn}")
    built.clear()

    at.selectbox(key=f"step_{arn}").select(TRAIN_STATE)
    rerun_as_the_browser(at, picker, monkeypatch)

    assert built == Counter({"draw": 1, "panel_content": 1})  # no graph, metrics, Map, timeline or history
    assert at.selectbox(key=f"step_{arn}").value == TRAIN_STATE
    assert f"{arn.rsplit(':', 1)[-1]}-train" in [code.value for code in at.code]  # its training job
    assert outlined_state(at, arn) == TRAIN_STATE


def test_a_click_on_a_graph_state_reruns_the_step_part_which_selects_and_outlines_that_step(
    succeeded, messages, built, monkeypatch
):
    # A click sends the graph's trigger from the fragment the graph is drawn in; its callback
    # reruns the step part by its key (st.rerun(STEP_PART_KEY)), and that part alone is built.
    arn = succeeded["arn"]
    at = open_page(arn)
    graph_part = fragment_of(messages, "bidi_component", ui.executions.GRAPH_KEY)
    assert outlined_state(at, arn) == "Clusters ready"  # a finished run opens on its end
    built.clear()

    rerun_as_the_browser(at, graph_part, monkeypatch, lambda: click_state(at, TRAIN_STATE))

    assert built == Counter({"draw": 1, "panel_content": 1})  # the newly shown step's
    assert at.selectbox(key=f"step_{arn}").value == TRAIN_STATE
    assert outlined_state(at, arn) == TRAIN_STATE


def test_after_a_step_change_a_full_rerun_keeps_the_chosen_step(succeeded, messages, monkeypatch):
    # The refresh of a running execution and any other widget rerun the whole watched part: the
    # step the user picked in the step part stays picked (ui.executions.step_to_show).
    arn = succeeded["arn"]
    at = open_page(arn)
    at.selectbox(key=f"step_{arn}").select(TRAIN_STATE)
    rerun_as_the_browser(at, fragment_of(messages, "selectbox", f"step_{arn}"), monkeypatch)

    at.run()

    assert at.selectbox(key=f"step_{arn}").value == TRAIN_STATE
    assert outlined_state(at, arn) == TRAIN_STATE
    assert timelines(at)  # the timeline is back


def test_a_steps_json_is_drawn_only_while_its_expander_is_open(succeeded, messages, monkeypatch):
    # A closed expander's elements are still sent to the browser and mounted: the step's input
    # and output JSON (and the worker log, the files grid) are drawn once the user opens it.
    arn = succeeded["arn"]
    at = open_page(arn, history=True)
    at.selectbox(key=f"event_{arn}").set_value(1).run()  # the event details' JSON, outside the step part
    assert len(at.json) == 1

    at.session_state[f"step_json_open_{arn}"] = True
    rerun_as_the_browser(at, fragment_of(messages, "selectbox", f"step_{arn}"), monkeypatch)

    shown = [json.loads(view.value) for view in at.json]
    assert len(shown) == 2  # the input and the output of "Clusters ready", the step shown
    assert shown[0]["DatasetName"] == "sample"


def show_run(at: AppTest, arn: str) -> None:
    """Choose ``arn`` in the "Run shown" box, as a user does.

    A choice in the box reruns only the parts that show the run, not the box's: AppTest's tree
    then lacks the box the browser still shows, and the page is run whole first to draw it."""
    if not [box for box in at.selectbox if box.key == execution_list.PICKER_KEY]:
        at.run()
    at.selectbox(key=execution_list.PICKER_KEY).select(arn).run()
    assert not at.exception, at.exception
    assert at.session_state[Key.SELECTED_EXECUTION] == arn


def test_every_run_has_the_same_graph_element_with_its_own_svg_and_no_click_follows_a_switch(
    succeeded, messages
):
    # Streamlit named a Plotly chart by its figure, and the browser drew a chart whose name
    # changed from scratch (~0.1 s of a run switch). The graph is one component keyed once
    # (ui.graph_component): another run is the same element, sent that run's SVG.
    arn, other = succeeded["arn"], succeeded["other"]
    at = open_page(arn)
    graph, first_svg = workflow_graph(at), graph_markup(at)

    show_run(at, other)
    assert workflow_graph(at).proto.id == graph.proto.id
    assert graph_markup(at) != first_svg  # this run's times in the tooltips
    assert at.selectbox(key=f"step_{other}").value == "Clusters ready"

    # A click on a state of this run shows that state's details ...
    click_state(at, TRAIN_STATE)
    assert at.selectbox(key=f"step_{other}").value == TRAIN_STATE
    at.run()  # the whole page again (AppTest's tree holds only what the click's rerun drew)
    assert at.selectbox(key=f"step_{other}").value == TRAIN_STATE

    # ... and a click is read once: the first run opens on its end, not on the state clicked in
    # the other one; back there, the state clicked is still that run's step shown.
    show_run(at, arn)
    assert at.selectbox(key=f"step_{arn}").value == "Clusters ready"
    assert outlined_state(at, arn) == "Clusters ready"
    show_run(at, other)
    assert at.selectbox(key=f"step_{other}").value == TRAIN_STATE


def test_a_second_click_on_the_same_state_selects_it_again(succeeded, messages):
    # Plotly's selection toggled: a click on the state already selected cleared it, and a user
    # who clicked a state, picked another in the box and clicked the first again saw nothing.
    arn = succeeded["arn"]
    at = open_page(arn)
    click_state(at, TRAIN_STATE)
    assert at.selectbox(key=f"step_{arn}").value == TRAIN_STATE

    at.selectbox(key=f"step_{arn}").select("Clusters ready").run()
    click_state(at, TRAIN_STATE)

    assert at.selectbox(key=f"step_{arn}").value == TRAIN_STATE
    assert outlined_state(at, arn) == TRAIN_STATE


def test_a_click_on_a_state_the_run_never_reached_says_so_and_keeps_the_step_shown(succeeded, messages):
    arn = succeeded["arn"]
    at = open_page(arn)

    click_state(at, "Quality too low")  # the run's silhouette passed the threshold

    assert at.selectbox(key=f"step_{arn}").value == "Clusters ready"
    assert any("“Quality too low” did not run in this execution" in info.value for info in at.info)


def test_an_ended_runs_graph_timeline_and_table_are_built_once_however_often_it_is_shown(
    succeeded, messages, built, monkeypatch
):
    # A finished run's history is final: switching back to it reuses its drawing, its timeline,
    # its visits, its step panel's tables and the runs table (nothing runs), where each was built
    # again on every switch.
    tables = Counter()
    real_table = execution_list._build_table

    def counted_table(*args: Any, **kwargs: Any) -> Any:
        tables["built"] += 1
        return real_table(*args, **kwargs)

    monkeypatch.setattr(execution_list, "_build_table", counted_table)
    arn, other = succeeded["arn"], succeeded["other"]
    at = open_page(arn)
    for run in (other, arn, other, arn):
        show_run(at, run)

    assert built["workflow_drawing"] == 2 and built["timeline_html"] == 2  # one of each a run
    assert built["step_runs"] == 2 and built["panel_content"] == 2  # the step shown, "Clusters ready"
    # The page's parts were drawn at each switch (and at each whole run show_run made to draw the box
    # again: three).
    assert built["status_metrics"] == 8 and built["draw"] == 8
    # The table marks no run: built once for the listing, whichever run is shown.
    assert tables["built"] == 1
    assert outlined_state(at, arn) == "Clusters ready"
    [timeline] = timelines(at)
    assert 'aria-label="Timeline of ' in timeline


def test_a_switch_back_to_a_run_sets_its_step_picker_even_when_the_browser_kept_its_step(
    succeeded, messages, monkeypatch
):
    # Found in review (round 20): a run switch reruns fragments only, and the browser sends the
    # state it kept of a run's picker (drawn before) with a row click back to that run. The session
    # then held the step, the page did not set the picker, and the browser's new picker showed its
    # first step. The page sets the picker on every switch to a run: its proto says "set".
    arn, other = succeeded["arn"], succeeded["other"]
    at = open_page(arn)
    at.selectbox(key=f"step_{arn}").select(TRAIN_STATE).run()
    kept = at.selectbox(key=f"step_{arn}")._widget_state  # the picker's state as the browser keeps it
    show_run(at, other)

    sent = ElementTree.get_widget_states

    def with_kept(tree: ElementTree) -> Any:
        states = sent(tree)
        states.widgets.append(kept)
        return states

    monkeypatch.setattr(ElementTree, "get_widget_states", with_kept)
    show_run(at, arn)

    picker = at.selectbox(key=f"step_{arn}")
    assert picker.value == TRAIN_STATE
    assert picker.proto.set_value  # the browser's new picker is given the step, not left on its first


def test_a_step_picked_on_a_run_is_still_shown_after_looking_at_another_run(succeeded, messages):
    # Streamlit forgets a widget's value when a run draws it not, and the step picker is one a
    # run: a review picked "Pick k" on a sweep, looked at other runs, came back to "Clusters ready".
    arn, other = succeeded["arn"], succeeded["other"]
    at = open_page(arn)
    at.selectbox(key=f"step_{arn}").select(TRAIN_STATE).run()

    show_run(at, other)
    assert at.selectbox(key=f"step_{other}").value == "Clusters ready"  # a run opens on its end
    show_run(at, arn)

    assert at.selectbox(key=f"step_{arn}").value == TRAIN_STATE
    assert outlined_state(at, arn) == TRAIN_STATE
