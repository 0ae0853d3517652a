"""AppTest runs of the Executions (watch) page on real local executions of the workflow.

One succeeded and one failed run of the SDK workflow on the real sample are made once for the
module in a private data directory; the page's local backend is the engine in thread mode (the
worker-process mode is covered by the command-line tests). AWS is not configured, so the page
must make no AWS call unless the user picks the aws backend.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support.asl_support import BlockingResources
from support.page_support import (
    APP,
    click_row,
    click_state,
    graph_markup,
    graph_states,
    listed_runs,
    metrics_in_columns,
    runs_table_data,
    sidebar_backend,
    static_tables,
    step_figures,
    timelines,
    unescaped,
)
from support.run_support import start_unchecked

import ui.backend
from pipeline.backends.local import LocalBackend
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.views.graph import ABORTED, STATUS_COLOURS, SUCCEEDED
from pipeline.workflows.clustering.build import WORKFLOW_NAME
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.steps import FAILED_STATE, PREPARE_STATE
from pipeline.workflows.price_regression.parameters import RegressionParameters
from ui import execution_list, executions
from ui.layout import SCROLL_TO_TOP_SCRIPT
from ui.names import RUN_QUERY_PARAM, Key, Page
from ui.runs import Listing

PAGE = Page.EXECUTIONS
RUN_TIMEOUT = 180


def local_backend() -> LocalBackend:
    return LocalBackend(LocalStepFunctionsClient(mode="thread"))


@pytest.fixture(scope="module")
def runs(sample_dataset, tmp_path_factory):
    """A private data directory holding one SUCCEEDED and one FAILED run of the workflow."""
    home = tmp_path_factory.mktemp("executions-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        path = home / "sample.parquet"
        sample_dataset.transactions.to_parquet(path, index=False)
        backend = local_backend()
        # Refused at launch; started as another client could, it fails at its first step.
        failed = start_unchecked(
            backend, path, ClusteringParameters(k=3, country="Atlantis"), dataset_name="bad shop"
        )
        wait_for_status(backend.client, failed, RUN_TIMEOUT)
        succeeded = backend.launch(
            path, ClusteringParameters(k=4, quality_threshold=-1.0), dataset_name="sample"
        )
        wait_for_status(backend.client, succeeded, RUN_TIMEOUT)
    return {"home": home, "succeeded": succeeded, "failed": failed}


def use_home(home: Path, patch: pytest.MonkeyPatch) -> None:
    """Point the app at ``home`` with fresh caches and a thread-mode local engine."""
    patch.setenv("RFM_STUDIO_HOME", str(home))
    real = ui.backend.get_backend
    patch.setattr(ui.backend, "get_backend", lambda name: local_backend() if name == "local" else real(name))
    ui.backend.backend.clear()
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def app_home(runs, monkeypatch):
    use_home(runs["home"], monkeypatch)
    yield
    ui.backend.backend.clear()
    st.cache_data.clear()


def open_page(selected: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if selected:
        at.session_state[Key.SELECTED_EXECUTION] = selected
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def name_of(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.main.metric}


def step_options(at: AppTest, arn: str) -> list[str]:
    return list(at.selectbox(key=f"step_{arn}").options)


def test_with_no_executions_the_page_points_to_the_launch_page(tmp_path, monkeypatch):
    use_home(tmp_path / "empty", monkeypatch)

    at = open_page()

    assert "No executions yet" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == ["Launch a run"]
    assert not at.get("plotly_chart")
    assert sidebar_backend(at) == "Local engine (this machine)"  # the sidebar still renders


def open_event_history(at: AppTest) -> None:
    """Open the Event history tab below the step details, as a click on it does."""
    at.session_state[executions.HISTORY_TAB_KEY] = "Event history"
    at.run()


def test_the_table_lists_both_runs_newest_first_with_k_and_dataset(runs):
    at = open_page()

    table = listed_runs(at)
    names = [name_of(runs["succeeded"]), name_of(runs["failed"])]
    table = table[table["Name"].isin(names)]  # a Re-run test may have added another run
    assert table["Name"].tolist() == names
    assert table["Status"].tolist() == ["SUCCEEDED", "FAILED"]
    assert table["k"].tolist() == ["4", "3"]
    assert table["Dataset"].tolist() == ["sample", "bad shop"]
    assert set(table["Backend"]) == {"local"}
    assert (table["Duration (s)"] >= 0).all()
    assert not at.warning  # aws is not configured: not asked, no warning


def test_a_succeeded_execution_shows_graph_steps_timeline_history_and_a_clusters_link(runs):
    at = open_page(runs["succeeded"])

    assert not at.error
    assert metrics(at)["Status"] == "SUCCEEDED"
    states = graph_states(at)
    assert states[PREPARE_STATE]["data-status"] == SUCCEEDED
    assert states[FAILED_STATE]["data-status"] == "not reached"
    legend = graph_markup(at).split('class="wg-legend"', 1)[1].split("</div>", 1)[0]
    assert all(f">{status}</span>" in legend for status in STATUS_COLOURS)
    steps = step_options(at, runs["succeeded"])
    assert steps[0] == PREPARE_STATE
    assert len(steps) == 8  # five tasks, two choices ("Sweep k?", "Good enough?") and the succeed state
    # The graph and the timeline (in its tab open first) are plain SVG and HTML, no chart.
    assert not at.get("plotly_chart")
    [timeline] = timelines(at)
    # Screen readers get each state as a button with its status and time, and each visit of
    # the timeline.
    prepare = states[PREPARE_STATE]["aria-label"]
    assert prepare.startswith(f"{PREPARE_STATE}: Task · succeeded · ")
    assert prepare.endswith(". Show its details")
    assert states[FAILED_STATE]["aria-label"] == f"{FAILED_STATE}: Fail · not reached. Did not run"
    assert f'aria-label="Timeline of {len(steps)} state visits: {PREPARE_STATE} succeeded in ' in timeline
    assert timeline.count('class="tl-bar"') == len(steps)  # one bar a visit
    open_event_history(at)
    assert not timelines(at)  # only the open tab is drawn
    history = at.dataframe[-1].value
    assert history["Type"].iloc[0] == "ExecutionStarted"
    assert history["Type"].iloc[-1] == "ExecutionSucceeded"
    assert "Explore the clusters of this run" in [link.label for link in at.get("page_link")]
    assert not [button for button in at.button if button.key.startswith("stop_")]  # only while running
    # Opened by its link, the run is marked in the table as in the box above, and the caption says
    # how to show another.
    assert at.selectbox(key=execution_list.PICKER_KEY).value == runs["succeeded"]
    assert runs_table_data(at)["shown"] == runs["succeeded"]
    assert execution_list.TABLE_CAPTION in [caption.value for caption in at.caption]


def test_the_selected_execution_defaults_to_the_newest_and_a_click_on_a_row_selects_another(runs):
    at = open_page()
    table = listed_runs(at)
    assert at.session_state[Key.SELECTED_EXECUTION] == table["ARN"].iloc[0]
    assert runs_table_data(at)["shown"] == table["ARN"].iloc[0]  # marked in the table

    click_row(at, runs["failed"])

    assert not at.exception
    assert metrics(at)["Status"] == "FAILED"
    assert at.session_state[Key.SELECTED_EXECUTION] == runs["failed"]
    assert at.selectbox(key=execution_list.PICKER_KEY).value == runs["failed"]  # the box follows
    assert runs_table_data(at)["shown"] == runs["failed"]  # and the table marks it
    # issue 10: the box's, the table's and the run's parts are drawn again, not the page.
    assert not at.title
    assert at.code[0].value == runs["failed"]


def test_a_row_click_naming_no_listed_run_changes_nothing(runs):
    # The clicked row's ARN comes from the browser: anything else a browser sends is ignored.
    at = open_page(runs["succeeded"])
    for sent in ("arn:aws:states:local:000000000000:execution:rfm-studio-clustering:nope", "", "<b>x</b>"):
        click_row(at, sent)
        assert not at.exception
        assert at.session_state[Key.SELECTED_EXECUTION] == runs["succeeded"]
        at.run()
        assert metrics(at)["Status"] == "SUCCEEDED"


def test_the_run_shown_box_picks_a_run_and_the_table_marks_it(runs):
    at = open_page(runs["succeeded"])
    picker = at.selectbox(key=execution_list.PICKER_KEY)
    assert picker.label == "Run shown"
    assert picker.value == runs["succeeded"]
    assert f"{name_of(runs['failed'])} · clustering" in picker.options  # as shown
    # Above the runs table, so the keyboard reaches it before the table's rows.
    order = [node.type for node in at.main if node.type in {"selectbox", "bidi_component"}]
    assert order[:2] == ["selectbox", "bidi_component"], order

    at.selectbox(key=execution_list.PICKER_KEY).select(runs["failed"]).run()

    assert metrics(at)["Status"] == "FAILED"
    assert at.session_state[Key.SELECTED_EXECUTION] == runs["failed"]
    assert at.code[0].value == runs["failed"]
    assert runs_table_data(at)["shown"] == runs["failed"]

    # A click on a row, then the box again, then the row again: each shows its run, and the
    # table and the box each follow the other.
    click_row(at, runs["succeeded"])
    assert metrics(at)["Status"] == "SUCCEEDED"
    assert at.selectbox(key=execution_list.PICKER_KEY).value == runs["succeeded"]
    at.selectbox(key=execution_list.PICKER_KEY).select(runs["failed"]).run()
    assert metrics(at)["Status"] == "FAILED" and runs_table_data(at)["shown"] == runs["failed"]
    click_row(at, runs["succeeded"])
    assert metrics(at)["Status"] == "SUCCEEDED" and runs_table_data(at)["shown"] == runs["succeeded"]


def test_a_run_opened_by_its_link_is_marked_in_the_table(runs):
    at = open_page(runs["succeeded"])
    click_row(at, runs["succeeded"])
    at.run()
    assert runs_table_data(at)["shown"] == runs["succeeded"]

    at.query_params[RUN_QUERY_PARAM] = name_of(runs["failed"])  # the address now names another run
    at.run()

    assert metrics(at)["Status"] == "FAILED"
    assert runs_table_data(at)["shown"] == runs["failed"]


def test_a_click_names_its_run_whatever_row_a_run_started_elsewhere_moved_it_to(tmp_path, monkeypatch):
    client, running, stopped = running_and_stopped(tmp_path / "moving", monkeypatch)
    machine = client.describe_execution(executionArn=running)["stateMachineArn"]
    later = None
    try:
        at = open_page(running)
        assert listed_runs(at)["Name"].tolist() == ["waiting", "stopped"]  # running runs first
        later = client.start_execution(stateMachineArn=machine, name="later", input="{}")["executionArn"]
        # The browser still shows "stopped" second when the user clicks it; the refresh that lists
        # "later" (and moves "stopped" to the third row) comes with the click.
        click_row(at, stopped)

        assert metrics(at)["Status"] == "ABORTED"
        at.run()
        assert listed_runs(at)["Name"].tolist() == ["later", "waiting", "stopped"]
        assert runs_table_data(at)["shown"] == stopped
        assert metrics(at)["Status"] == "ABORTED"
    finally:
        for arn in (running, later):
            if arn:
                client.stop_execution(executionArn=arn)


def test_another_ended_run_chosen_while_nothing_runs_redraws_only_the_parts_that_show_it(runs):
    # issue 10: a switch between ended runs reruns the run parts (fragments), not the page: the
    # title, the sidebar and the navigation are not sent
    # again. AppTest's tree holds what the run drew, so an element missing from it was not redrawn.
    at = open_page(runs["succeeded"])
    assert at.title and at.sidebar.children

    at.selectbox(key=execution_list.PICKER_KEY).select(runs["failed"]).run()

    assert not at.exception
    assert not at.title and not at.sidebar.children  # the page's own run was not made
    assert metrics(at)["Status"] == "FAILED"  # the watched run's part
    assert at.code[0].value == runs["failed"]  # the heading's part: its name and ARN
    assert unescaped(at.subheader[0].value) == name_of(runs["failed"])
    assert at.query_params[RUN_QUERY_PARAM] == name_of(runs["failed"])  # the page's link to it
    assert runs_table_data(at)["shown"] == runs["failed"]  # the table marks the choice
    assert at.selectbox(key=f"step_{runs['failed']}").value == PREPARE_STATE  # opens on its failure

    at.run()  # the whole page again: it agrees with what the switch drew
    assert at.title and metrics(at)["Status"] == "FAILED" and at.code[0].value == runs["failed"]
    assert at.selectbox(key=execution_list.PICKER_KEY).value == runs["failed"]
    assert at.button(key="rerun")  # Re-run, not redrawn by the switch, reads the run shown at its click


def test_a_switch_to_or_from_a_running_run_redraws_the_whole_page(tmp_path, monkeypatch):
    # A run that goes needs the page's own run: its Stop button and the live refresh are set up there.
    client, running, ended = running_and_stopped(tmp_path / "switching", monkeypatch)
    try:
        at = open_page(running)
        assert at.button(key=f"stop_{running}")

        at.selectbox(key=execution_list.PICKER_KEY).select(ended).run()
        assert at.title  # the page's run
        assert metrics(at)["Status"] == "ABORTED" and at.code[0].value == ended
        assert not [button for button in at.button if button.key.startswith("stop_")]

        at.selectbox(key=execution_list.PICKER_KEY).select(running).run()
        assert at.title
        assert metrics(at)["Status"] == "RUNNING" and at.button(key=f"stop_{running}")
    finally:
        client.stop_execution(executionArn=running)


def test_the_table_shows_workflow_parameters_and_the_quality_of_each_run(runs):
    at = open_page()

    table = listed_runs(at).set_index("Name")
    succeeded, failed = table.loc[name_of(runs["succeeded"])], table.loc[name_of(runs["failed"])]
    assert succeeded["Workflow"] == "clustering" and succeeded["k"] == "4"
    assert succeeded["Threshold"] == "silhouette ≥ -1" and succeeded["Country"] == "All"
    assert failed["Country"] == "Atlantis"
    summary = LocalBackend(LocalStepFunctionsClient(mode="thread")).results(runs["succeeded"]).summary
    assert succeeded["Quality"] == pytest.approx(summary["silhouette"], abs=5e-4)  # as it reads
    assert pd.isna(failed["Quality"])  # it failed before any clustering


def test_a_price_regression_row_shows_its_rmse_gate_and_no_k(runs):
    listing = runs_listing()
    price = {  # a price regression still running (nothing to describe yet)
        **listing.items[0],
        "executionArn": "price-arn",
        "status": "RUNNING",
        "stopDate": None,
        "workflow": "price-regression",
        "parameters": RegressionParameters(rmse_threshold=30.0).to_dict(),
    }

    table = execution_list.executions_table(Listing([price])).set_index("ARN")

    assert table.loc["price-arn", "Threshold"] == "RMSE ≤ 30"
    assert table.loc["price-arn", "k"] == ""  # blank, not "None"


def test_the_table_is_sent_as_text_cells_with_sort_keys_and_the_run_shown(runs):
    listing = runs_listing()
    running = {
        **listing.items[0],
        "executionArn": "price-arn",
        "name": "price-run",
        "status": "RUNNING",
        "stopDate": None,
        "workflow": "price-regression",
        "dataset": "<b>shop</b>",
        "parameters": RegressionParameters(rmse_threshold=30.0).to_dict(),
    }
    table = execution_list.executions_table(Listing([*listing.items, running]))

    payload = execution_list.table_payload(table, runs["failed"])

    names = [column["name"] for column in payload["columns"]]
    assert names == [column for column in execution_list.TABLE_COLUMNS if column != "ARN"]
    assert [row["arn"] for row in payload["rows"]] == table["ARN"].tolist()  # the page's order
    assert payload["shown"] == runs["failed"]
    # A header's numbers are right-aligned, a long dataset name cut, and some headers explain.
    columns = {column["name"]: column for column in payload["columns"]}
    assert columns["Quality"]["numeric"] and columns["Duration (s)"]["numeric"]
    assert not columns["Name"]["numeric"] and columns["Dataset"]["clip"]
    assert "silhouette" in columns["Quality"]["help"]
    rows = {
        row["arn"]: dict(zip(names, zip(row["cells"], row["keys"], strict=True), strict=True))
        for row in payload["rows"]
    }
    price, succeeded, failed = rows["price-arn"], rows[runs["succeeded"]], rows[runs["failed"]]
    assert price["Dataset"] == ("<b>shop</b>", "<b>shop</b>")  # text, drawn as text by the component
    assert price["Quality"] == ("", None)  # none while it runs: blank, sorted last
    assert price["k"] == ("", None)
    assert succeeded["k"] == ("4", 4)
    quality = table.set_index("ARN").loc[runs["succeeded"], "Quality"]
    assert succeeded["Quality"] == (f"{quality:.3f}", -quality - 2)  # see the Quality sort test below
    assert failed["Quality"] == ("", None)
    duration = table.set_index("ARN").loc[runs["failed"], "Duration (s)"]
    assert failed["Duration (s)"] == (f"{duration:.1f}", duration)
    started = table.set_index("ARN").loc[runs["failed"], "Started"]
    cell, key = failed["Started"]
    assert cell == started.strftime("%Y-%m-%d %H:%M:%S") and len(cell) == 19
    assert key == started.strftime("%Y-%m-%dT%H:%M:%S.%f")  # ISO text, to the microsecond, sorts as time does
    assert payload["height"] == execution_list.ROW_HEIGHT * (1 + 3) + 2  # three rows, no scroll
    many = pd.concat([table] * 4, ignore_index=True)
    assert (
        execution_list.table_payload(many, "")["height"]
        == execution_list.ROW_HEIGHT * (1 + execution_list.VISIBLE_ROWS) + 2
    )


def test_quality_sorts_by_merit_each_workflows_runs_together():
    # Silhouettes (higher is better) and RMSEs (lower is better) in one column: as plain numbers a
    # 0.30 silhouette sorted below a 25.1 RMSE, and the worst price model above the best.
    table = pd.DataFrame(
        {
            "Workflow": ["clustering", "price-regression", "clustering", "price-regression", "clustering"],
            "Quality": [0.30, 25.1, -0.05, 19.4, None],
        }
    )

    keys = execution_list._quality_keys(table)

    assert keys[-1] is None  # no figure: sorted last either way
    ascending = sorted(range(4), key=lambda row: keys[row])
    # The first sort (ascending): clustering runs best first, then price runs best first.
    assert [table["Quality"][row] for row in ascending] == [0.30, -0.05, 19.4, 25.1]
    payload = execution_list.table_payload(table.assign(Name="n", ARN=[f"arn{i}" for i in range(5)]), "")
    quality = [column["name"] for column in payload["columns"]].index("Quality")
    assert [row["keys"][quality] for row in payload["rows"]] == keys
    assert [row["cells"][quality] for row in payload["rows"]] == ["0.300", "25.100", "-0.050", "19.400", ""]


def test_k_sorts_by_its_number_not_as_text():
    # A fixed k, a sweep's range, a sweep's choice: 10 sorts after 2, and a blank k last.
    table = pd.DataFrame({"k": ["10", "2 of 2-10", "", "3-8"]})

    assert execution_list._sort_keys(table["k"]) == [10, 2, None, 3]


def test_running_runs_are_listed_first_however_old(runs):
    listing = runs_listing()
    newest_finished = listing.items[0]
    running = {**listing.items[-1], "status": "RUNNING", "stopDate": None, "executionArn": "running-arn"}
    running["startDate"] = newest_finished["startDate"] - dt.timedelta(days=3)
    table = execution_list.executions_table(Listing([*listing.items, running]))

    assert table["Status"].iloc[0] == "RUNNING"
    assert table["Duration (s)"].iloc[0] >= 3 * 24 * 3600  # counted to now while it runs
    assert table["ARN"].iloc[1] == newest_finished["executionArn"]


def runs_listing() -> Listing:
    from ui.runs import list_executions

    return list_executions()


def test_clicking_a_state_in_the_graph_opens_its_details_panel(runs):
    arn = runs["succeeded"]
    at = open_page(arn)
    assert at.selectbox(key=f"step_{arn}").value == "Clusters ready"  # a finished run opens on its end

    click_state(at, "Train KMeans")

    assert at.selectbox(key=f"step_{arn}").value == "Train KMeans"
    codes = [code.value for code in at.code]
    assert f"{name_of(arn)}-train" in codes  # its SageMaker training job
    shown = step_figures(at)
    assert shown["Training job status"] == "Completed"
    assert shown["Hyper parameters: k"] == "4"
    assert f"step_{arn}" in at.session_state and not at.exception


def test_the_evaluate_step_shows_silhouette_and_clusters_as_tables(runs):
    arn = runs["succeeded"]
    at = open_page(arn, **{f"step_{arn}": "Evaluate clusters"})

    summary = LocalBackend(LocalStepFunctionsClient(mode="thread")).results(arn).summary
    shown = step_figures(at)
    assert float(shown["Silhouette"]) == pytest.approx(summary["silhouette"], abs=1e-3)
    assert shown["Customers"] == f"{summary['customers']:,}"
    clusters = next(frame for frame in static_tables(at) if "Customers" in frame.columns)
    assert clusters["Customers"].sum() == summary["customers"]
    assert len(clusters) == 4
    assert "rfm-studio-evaluate-clusters" in [code.value for code in at.code]  # the Lambda function


def test_the_details_panel_follows_a_watched_run_to_the_state_that_failed(tmp_path, monkeypatch):
    # Opened while "Hold" runs, the panel shows it; when the run then fails, the panel moves on to
    # the failure instead of staying on the step that was running when the page was opened.
    # "Hold" is a Task held until the test releases it, so however slowly the page opens, it
    # opens while the run is still there.
    use_home(tmp_path / "following", monkeypatch)
    held = BlockingResources(hold_seconds=600)
    client = LocalStepFunctionsClient(mode="thread", resources=held)
    definition = {
        "StartAt": "Hold",
        "States": {
            "Hold": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "hold"},
                "Next": "Give up",
            },
            "Give up": {"Type": "Fail", "Error": "GaveUp", "Cause": "held long enough"},
        },
    }
    machine = client.create_state_machine(
        name=WORKFLOW_NAME, definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/x"
    )
    arn = client.start_execution(stateMachineArn=machine["stateMachineArn"], name="held", input="{}")[
        "executionArn"
    ]
    try:
        assert held.wait_until_running(1)
        at = open_page(arn)
        assert at.selectbox(key=f"step_{arn}").value == "Hold"  # in progress while the page opened
    finally:
        held.release.set()

    assert wait_for_status(client, arn, 60)["status"] == "FAILED"
    at.run()  # what the page's refresh does once the run has ended

    assert at.selectbox(key=f"step_{arn}").value == "Give up"


def test_a_step_the_user_picked_stays_shown_while_the_run_goes_on(runs):
    arn = runs["failed"]
    at = open_page(arn)
    at.selectbox(key=f"step_{arn}").select("Workflow failed").run()
    at.run()

    assert at.selectbox(key=f"step_{arn}").value == "Workflow failed"


def test_a_failed_run_opens_on_the_step_that_failed_with_its_error(runs):
    at = open_page(runs["failed"])

    assert at.selectbox(key=f"step_{runs['failed']}").value == PREPARE_STATE  # opens on the failure
    assert any("This step failed" in unescaped(error.value) for error in at.error)
    assert any("Atlantis" in code.value for code in at.code)


def test_the_full_arn_is_shown_in_a_code_block_with_its_copy_button(runs):
    at = open_page(runs["succeeded"])

    assert runs["succeeded"] in [code.value for code in at.code]


def test_re_run_is_not_offered_while_the_run_is_going(tmp_path, monkeypatch):
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)
    at = open_page(arn)

    assert not [button for button in at.button if button.key == "rerun"]
    assert at.button(key=f"stop_{arn}")
    client.stop_execution(executionArn=arn)


def test_started_shows_the_year_and_agrees_with_the_first_event(runs):
    at = open_page(runs["succeeded"])

    started = metrics(at)["Started"]
    open_event_history(at)
    first_event = at.dataframe[-1].value["Timestamp"].iloc[0]
    assert started == f"{first_event:%Y-%m-%d %H:%M:%S}"


def test_a_failed_execution_shows_its_error_and_cause(runs):
    at = open_page(runs["failed"])

    assert metrics(at)["Status"] == "FAILED"
    assert "ended FAILED" in unescaped(at.error[0].value)
    shown = [code.value for code in at.code]
    assert any(text.startswith("DataError: ") and "Atlantis" in text for text in shown)
    assert graph_states(at)[FAILED_STATE]["data-status"] == "failed"
    assert "Explore the clusters of this run" not in [link.label for link in at.get("page_link")]


def test_an_events_details_are_shown_decoded(runs):
    at = open_page(runs["succeeded"])
    open_event_history(at)

    at.selectbox(key=f"event_{runs['succeeded']}").set_value(1).run()

    details = json.loads(at.json[-1].value)
    assert details["input"]["DatasetName"] == "sample"  # the input JSON text, decoded


def test_re_run_starts_a_new_execution_with_the_same_data_and_parameters_and_selects_it(runs):
    at = open_page(runs["succeeded"])

    at.button(key="rerun").click().run()

    assert not at.exception and not at.error
    new = at.session_state[Key.SELECTED_EXECUTION]
    assert new != runs["succeeded"]
    assert at.session_state[Key.LAUNCHED_HERE] == {new}  # its Stop asks without the note
    client = LocalStepFunctionsClient(mode="thread")
    done = wait_for_status(client, new, RUN_TIMEOUT)
    old = json.loads(client.describe_execution(executionArn=runs["succeeded"])["input"])
    again = json.loads(done["input"])
    assert done["status"] == "SUCCEEDED"
    for key in ("DataUri", "DatasetName", "K", "QualityThreshold", "Country", "AsOfDate"):
        assert again[key] == old[key], key
    assert again["RunName"] != old["RunName"] and again["RunPrefix"] != old["RunPrefix"]


def test_picking_the_aws_backend_without_settings_warns_and_still_lists_local_runs(runs):
    at = open_page(backend="aws")

    assert "AWS executions are not listed" in at.warning[0].value
    listed = set(listed_runs(at)["Name"])
    assert {name_of(runs["succeeded"]), name_of(runs["failed"])} <= listed


def start_waiting_execution(home: Path, monkeypatch) -> tuple[LocalStepFunctionsClient, str]:
    """A local execution in ``home`` that stays RUNNING (a 600 s Wait) until it is stopped."""
    use_home(home, monkeypatch)
    client = LocalStepFunctionsClient(mode="thread")
    definition = {
        "StartAt": "Wait long",
        "States": {"Wait long": {"Type": "Wait", "Seconds": 600, "End": True}},
    }
    machine = client.create_state_machine(
        name=WORKFLOW_NAME, definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/x"
    )
    arn = client.start_execution(stateMachineArn=machine["stateMachineArn"], name="waiting", input="{}")[
        "executionArn"
    ]
    return client, arn


def running_and_stopped(home: Path, monkeypatch) -> tuple[LocalStepFunctionsClient, str, str]:
    """In ``home``, a run that stays RUNNING ("waiting", :func:`start_waiting_execution`) and a
    later one of the same state machine, stopped (ABORTED, "stopped"): the client and both ARNs."""
    client, running = start_waiting_execution(home, monkeypatch)
    machine = client.describe_execution(executionArn=running)["stateMachineArn"]
    ended = client.start_execution(stateMachineArn=machine, name="stopped", input="{}")["executionArn"]
    client.stop_execution(executionArn=ended)
    assert wait_for_status(client, ended, 60)["status"] == "ABORTED"
    return client, running, ended


def test_stop_asks_for_confirmation_then_the_running_execution_ends_aborted(tmp_path, monkeypatch):
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)
    at = open_page(arn)
    assert metrics(at)["Status"] == "RUNNING"

    at.button(key=f"stop_{arn}").click().run()
    # Started elsewhere (here: by the test, as another session or the command line would).
    assert at.warning[0].value == f"{executions.NOT_LAUNCHED_HERE} {executions.STOP_QUESTION}"
    assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"
    at.button(key=f"stop_yes_{arn}").click().run()

    assert not at.exception and not at.error
    assert wait_for_status(client, arn, 30)["status"] == "ABORTED"
    assert metrics(at)["Status"] == "ABORTED"
    assert "stopped" in at.warning[0].value
    cause = "Stopped from the Executions page of a browser session that did not launch it."
    assert any(cause in code.value for code in at.code)  # what the run's other watchers read
    assert graph_states(at)["Wait long"]["data-status"] == ABORTED == "aborted"
    legend = graph_markup(at).split('class="wg-legend"', 1)[1].split("</div>", 1)[0]
    assert ">aborted</span>" in legend and "ancelled" not in legend  # the status's own word, as "ABORTED"
    assert Key.STOP_CONFIRMED not in at.session_state and Key.STOP_ASKED not in at.session_state


def test_a_run_this_session_launched_is_stopped_without_the_note_and_says_so(tmp_path, monkeypatch):
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)
    at = open_page(arn, **{Key.LAUNCHED_HERE: {arn}})  # as Launch or Re-run records it

    at.button(key=f"stop_{arn}").click().run()
    assert at.warning[0].value == executions.STOP_QUESTION
    at.button(key=f"stop_yes_{arn}").click().run()

    assert wait_for_status(client, arn, 30)["cause"] == (
        "Stopped from the Executions page by the session that launched it."
    )


def test_the_question_survives_refreshes_until_the_user_answers(tmp_path, monkeypatch):
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)
    at = open_page(arn)
    at.button(key=f"stop_{arn}").click().run()

    at.run()  # what the page's refresh does: run again with nothing pressed
    at.run()

    assert "Stop this execution?" in at.warning[0].value
    assert at.button(key=f"stop_yes_{arn}")
    at.button(key=f"stop_no_{arn}").click().run()
    assert not [warning for warning in at.warning if "Stop this execution?" in warning.value]
    assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"
    assert at.button(key=f"stop_{arn}")
    client.stop_execution(executionArn=arn)


def test_a_confirmed_stop_left_in_the_session_is_carried_out_by_the_next_run(tmp_path, monkeypatch):
    # The run that recorded "Yes, stop it" may be cut short (another click, a refresh); the
    # request stays in the session and the next run of the page acts on it.
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)

    at = open_page(arn, **{Key.STOP_CONFIRMED: arn})

    assert not at.error
    assert wait_for_status(client, arn, 30)["status"] == "ABORTED"
    assert metrics(at)["Status"] == "ABORTED"
    assert Key.STOP_CONFIRMED not in at.session_state


def test_a_stop_the_backend_refuses_is_reported_and_not_retried_forever(tmp_path, monkeypatch):
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)
    gone = arn.replace(":waiting", ":never-started")

    at = open_page(arn, **{Key.STOP_CONFIRMED: gone})

    assert "Pick one from the list" in unescaped(at.error[0].value)
    assert Key.STOP_CONFIRMED not in at.session_state
    at.run()
    assert not at.error
    assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"
    client.stop_execution(executionArn=arn)


def test_the_status_metrics_wrap_instead_of_cutting_succeeded_off(runs):
    # At 1000 px the four status metrics in st.columns read "SUCC…" and "11-25…".
    at = open_page(runs["succeeded"])

    assert metrics(at)["Status"] == "SUCCEEDED"
    assert metrics_in_columns(at.main) == []


def test_a_run_link_opens_the_app_on_that_runs_execution(runs):
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.query_params[RUN_QUERY_PARAM] = name_of(runs["failed"])

    at.run()

    assert not at.exception
    assert at.title[0].value == "Executions"  # the landing page, not Home
    assert at.session_state[Key.SELECTED_EXECUTION] == runs["failed"]
    assert metrics(at)["Status"] == "FAILED"


def test_a_link_to_an_unknown_run_says_so_and_shows_the_newest(runs):
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.query_params[RUN_QUERY_PARAM] = "rfm-19990101-000000-deadbeef"

    at.run()

    assert "No listed run is named rfm-19990101-000000-deadbeef" in unescaped(at.warning[0].value)
    assert name_of(at.session_state[Key.SELECTED_EXECUTION]) == listed_runs(at)["Name"].iloc[0]


def scroll_scripts(at: AppTest) -> list[str]:
    """The page's own scripts (``st.html`` allowed to run JavaScript), by their markup."""
    return [node.proto.body for node in at.main if node.type == "html" and node.proto.unsafe_allow_javascript]


def test_arriving_from_launch_scrolls_to_the_top_once(runs):
    # Launch sets the flag before its page switch, which keeps Launch's scroll (~800 px down).
    at = open_page(runs["succeeded"], **{Key.ARRIVED_FROM_LAUNCH: True})
    assert scroll_scripts(at) == [SCROLL_TO_TOP_SCRIPT]
    assert Key.ARRIVED_FROM_LAUNCH not in at.session_state
    at.run()  # any later run of the page leaves the user's scroll alone
    assert scroll_scripts(at) == []
    assert scroll_scripts(open_page(runs["succeeded"])) == []
