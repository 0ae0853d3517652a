"""AppTest runs of the Executions (watch) page on real local executions of the workflow.

One succeeded and one failed run of the SDK workflow on the real sample are made once for the
module in a private data directory; the page's local backend is the engine in thread mode (the
worker-process mode is covered by the command-line tests). AWS is not configured, so the page
must make no AWS call unless the user picks the aws backend.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from support.page_support import APP, metrics_in_columns, unescaped
from support.run_support import start_unchecked

import ui.backend
from pipeline.backends.local import LocalBackend
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
from pipeline.views.graph import CANCELLED, STATUS_COLOURS, SUCCEEDED
from pipeline.workflows.clustering.build import WORKFLOW_NAME
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.clustering.steps import FAILED_STATE, PREPARE_STATE
from ui.names import Key, Page

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


def graphs(at: AppTest) -> list[str]:
    return [chart.proto.spec for chart in at.get("graphviz_chart")]


def test_with_no_executions_the_page_points_to_the_launch_page(tmp_path, monkeypatch):
    use_home(tmp_path / "empty", monkeypatch)

    at = open_page()

    assert "No executions yet" in at.info[0].value
    assert [link.label for link in at.get("page_link")] == ["Launch a run"]
    assert not at.get("graphviz_chart")
    assert at.sidebar.radio(key=Key.BACKEND).value == "local"  # the sidebar still renders


def test_the_table_lists_both_runs_newest_first_with_k_and_dataset(runs):
    at = open_page()

    table = at.dataframe[0].value
    names = [name_of(runs["succeeded"]), name_of(runs["failed"])]
    table = table[table["Name"].isin(names)]  # a Re-run test may have added another run
    assert table["Name"].tolist() == names
    assert table["Status"].tolist() == ["SUCCEEDED", "FAILED"]
    assert table["k"].tolist() == [4, 3]
    assert table["Dataset"].tolist() == ["sample", "bad shop"]
    assert set(table["Backend"]) == {"local"}
    assert (table["Duration (s)"] >= 0).all()
    assert not at.warning  # aws is not configured: not asked, no warning


def test_a_succeeded_execution_shows_graph_steps_timeline_history_and_a_clusters_link(runs):
    at = open_page(runs["succeeded"])

    assert not at.error
    assert metrics(at)["Status"] == "SUCCEEDED"
    workflow, legend = graphs(at)
    assert f'"{PREPARE_STATE}" [label=' in workflow
    assert STATUS_COLOURS[SUCCEEDED][0] in workflow
    assert all(colour in legend for colour, _ in STATUS_COLOURS.values())
    steps = [expander.label for expander in at.expander if " · " in expander.label]
    assert steps[0].startswith(f"{PREPARE_STATE} · succeeded")
    assert len(steps) == 8  # five tasks, two choices ("Sweep k?", "Good enough?") and the succeed state
    assert len(at.get("plotly_chart")) == 1  # the timeline
    history = at.dataframe[1].value
    assert history["Type"].iloc[0] == "ExecutionStarted"
    assert history["Type"].iloc[-1] == "ExecutionSucceeded"
    assert "Explore the clusters of this run" in [link.label for link in at.get("page_link")]
    assert not [button for button in at.button if button.key.startswith("stop_")]  # only while running


def test_the_selected_execution_defaults_to_the_newest_and_follows_the_selectbox(runs):
    at = open_page()
    newest = at.dataframe[0].value["Name"].iloc[0]
    assert name_of(at.session_state[Key.SELECTED_EXECUTION]) == newest

    at.selectbox[0].set_value(runs["failed"]).run()

    assert metrics(at)["Status"] == "FAILED"
    assert at.session_state[Key.SELECTED_EXECUTION] == runs["failed"]


def test_a_failed_execution_shows_its_error_and_cause(runs):
    at = open_page(runs["failed"])

    assert metrics(at)["Status"] == "FAILED"
    assert "ended FAILED" in unescaped(at.error[0].value)
    shown = [code.value for code in at.code]
    assert any(text.startswith("DataError: ") and "Atlantis" in text for text in shown)
    workflow = graphs(at)[0]
    assert f'"{FAILED_STATE}" [label=' in workflow
    assert "Explore the clusters of this run" not in [link.label for link in at.get("page_link")]


def test_an_events_details_are_shown_decoded(runs):
    at = open_page(runs["succeeded"])

    at.selectbox(key=f"event_{runs['succeeded']}").set_value(1).run()

    details = json.loads(at.json[-1].value)
    assert details["input"]["DatasetName"] == "sample"  # the input JSON text, decoded


def test_re_run_starts_a_new_execution_with_the_same_data_and_parameters_and_selects_it(runs):
    at = open_page(runs["succeeded"])

    at.button(key="rerun").click().run()

    assert not at.exception and not at.error
    new = at.session_state[Key.SELECTED_EXECUTION]
    assert new != runs["succeeded"]
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
    listed = set(at.dataframe[0].value["Name"])
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


def test_stop_asks_for_confirmation_then_the_running_execution_ends_aborted(tmp_path, monkeypatch):
    client, arn = start_waiting_execution(tmp_path / "waiting", monkeypatch)
    at = open_page(arn)
    assert metrics(at)["Status"] == "RUNNING"

    at.button(key=f"stop_{arn}").click().run()
    assert "Stop this execution?" in at.warning[0].value
    assert client.describe_execution(executionArn=arn)["status"] == "RUNNING"
    at.button(key=f"stop_yes_{arn}").click().run()

    assert not at.exception and not at.error
    assert wait_for_status(client, arn, 30)["status"] == "ABORTED"
    assert metrics(at)["Status"] == "ABORTED"
    assert "stopped" in at.warning[0].value
    assert "Stopped by the user" in at.code[0].value
    wait_node = next(line for line in graphs(at)[0].splitlines() if line.strip().startswith('"Wait long" ['))
    assert f'fillcolor="{STATUS_COLOURS[CANCELLED][0]}"' in wait_node
    assert Key.STOP_CONFIRMED not in at.session_state and Key.STOP_ASKED not in at.session_state


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
