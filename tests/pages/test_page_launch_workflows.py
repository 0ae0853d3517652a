"""AppTest runs of the Launch page's workflow catalogue on the real sample: the registry's workflows
with their purpose and graph, each workflow's own fields and check, fields kept across pages, and a
price-regression run launched from the page."""

from __future__ import annotations

import dataclasses
import json

import pytest
import yaml
from streamlit.testing.v1 import AppTest
from support.aws_fakes import isolate_aws_environment
from support.page_support import APP, definition_states, drawn_workflow, open_definitions

from pipeline.backends.local import LocalBackend
from pipeline.local.client import wait_for_status
from pipeline.workflows.price_regression.parameters import RegressionParameters
from pipeline.workflows.registry import WORKFLOWS
from ui import backend as ui_backend
from ui.names import Key, Page
from ui.state import ActiveDataset

RUN_TIMEOUT = 120  # a busy, shared 2-core machine
RUN_FINISH_TIMEOUT = 600
PRICE_REGRESSION = "price-regression"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Backends and their health are cached per process: each test's private home gets its own."""
    ui_backend.backend.clear()
    ui_backend.cached_health.clear()
    yield
    ui_backend.backend.clear()
    ui_backend.cached_health.clear()


@pytest.fixture
def active(sample_dataset, sample_clean, studio_home) -> ActiveDataset:
    """The real sample as the session's active dataset (its canonical Parquet in this test's home)."""
    _, report = sample_clean
    path = studio_home / "cache" / "ui" / f"{sample_dataset.content_hash}.transactions.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    sample_dataset.transactions.to_parquet(path, index=False)
    return ActiveDataset.of(sample_dataset, path, report)


def open_launch(active: ActiveDataset, backend: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    at.session_state[Key.ACTIVE_DATASET] = active
    if backend is not None:
        at.session_state[Key.BACKEND] = backend
    at.run()
    at.switch_page(Page.LAUNCH).run()
    assert not at.exception
    return at


def choose(at: AppTest, workflow: str) -> AppTest:
    at.radio(key=Key.LAUNCH_WORKFLOW).set_value(workflow).run()
    assert not at.exception
    return at


def graph(at: AppTest) -> set[str]:
    """The states the page's workflow graph draws."""
    return set(drawn_workflow(at)["states"])


def test_the_catalogue_offers_every_registry_workflow_with_its_purpose_clustering_first(active):
    at = open_launch(active)

    catalogue = at.radio(key=Key.LAUNCH_WORKFLOW)
    assert catalogue.options == [spec.title for spec in WORKFLOWS]
    assert list(catalogue.proto.captions) == [spec.purpose for spec in WORKFLOWS]
    assert catalogue.value == "clustering"
    assert "Train KMeans" in graph(at)


def test_choosing_price_regression_shows_its_graph_fields_and_definitions(active):
    at = choose(open_launch(active), PRICE_REGRESSION)

    assert not at.error
    drawn = graph(at)
    for state in ("Prepare data", "Train XGBoost", "Validate RMSE", "RMSE good enough?", "Predict prices"):
        assert state in drawn
    assert "Train KMeans" not in drawn
    defaults = RegressionParameters()
    assert at.number_input(key=Key.LAUNCH_RMSE_THRESHOLD).value == pytest.approx(defaults.rmse_threshold)
    assert at.number_input(key=Key.LAUNCH_NUM_ROUND).value == defaults.num_round
    assert at.number_input(key=Key.LAUNCH_MAX_DEPTH).value == defaults.max_depth
    assert at.number_input(key=Key.LAUNCH_ETA).value == pytest.approx(defaults.eta)
    assert at.selectbox(key=Key.LAUNCH_FEATURE_SET).value == "basic"
    assert at.selectbox(key=Key.LAUNCH_FEATURE_SET).options == ["basic (3 features)", "extended (6 features)"]
    assert any(c.value.startswith("StockCode (category code), Quantity, CustomerID") for c in at.caption)
    at.selectbox(key=Key.LAUNCH_FEATURE_SET).set_value("extended").run()
    assert any(c.value.startswith("The basic three plus Country") for c in at.caption)
    # clustering's fields and Try k belong to the other workflow
    assert not [field for field in at.number_input if field.key == Key.LAUNCH_K]
    assert not [button for button in at.button if button.key == "launch_try_k"]
    assert all(field.key != Key.LAUNCH_INSTANCE_COUNT for field in at.number_input)  # local: no instances
    asl, cfn = open_definitions(at)
    definition = json.loads(asl.value)
    assert definition["StartAt"] == "Prepare data"
    assert drawn == definition_states(definition)  # every state of the SDK-built definition
    machine = yaml.safe_load(cfn.value)["Resources"]["StateMachineComponent"]
    assert json.loads(machine["Properties"]["DefinitionString"]) == definition
    assert not at.button(key="launch_run").disabled


def test_price_regression_on_aws_adds_the_instance_fields(active, monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)

    at = choose(open_launch(active, backend="aws"), PRICE_REGRESSION)

    assert at.selectbox(key=Key.LAUNCH_INSTANCE_TYPE).value == "ml.m5.large"
    assert at.number_input(key=Key.LAUNCH_INSTANCE_COUNT).value == 1
    assert "Train XGBoost" in graph(at)  # drawn with placeholder settings
    assert at.button(key="launch_run").disabled  # the preflight fails without settings


def test_clustering_fields_are_kept_when_leaving_launch_and_coming_back(active):
    at = open_launch(active)
    at.number_input(key=Key.LAUNCH_K).set_value(7).run()
    at.number_input(key=Key.LAUNCH_THRESHOLD).set_value(0.4).run()
    country_key = f"launch_country_{active.content_hash[:12]}"
    at.selectbox(key=country_key).set_value("France").run()

    at.switch_page(Page.DATA).run()
    at.switch_page(Page.LAUNCH).run()

    assert not at.exception
    assert at.number_input(key=Key.LAUNCH_K).value == 7
    assert at.number_input(key=Key.LAUNCH_THRESHOLD).value == pytest.approx(0.4)
    assert at.selectbox(key=country_key).value == "France"


def test_the_workflow_and_its_fields_are_kept_across_pages(active):
    at = choose(open_launch(active), PRICE_REGRESSION)
    at.number_input(key=Key.LAUNCH_NUM_ROUND).set_value(80).run()
    at.number_input(key=Key.LAUNCH_ETA).set_value(0.3).run()
    at.selectbox(key=Key.LAUNCH_FEATURE_SET).set_value("extended").run()

    at.switch_page(Page.EXECUTIONS).run()
    at.switch_page(Page.HOME).run()
    at.switch_page(Page.LAUNCH).run()

    assert not at.exception
    assert at.radio(key=Key.LAUNCH_WORKFLOW).value == PRICE_REGRESSION
    assert at.number_input(key=Key.LAUNCH_NUM_ROUND).value == 80
    assert at.number_input(key=Key.LAUNCH_ETA).value == pytest.approx(0.3)
    assert at.selectbox(key=Key.LAUNCH_FEATURE_SET).value == "extended"
    choose(at, "clustering")  # each workflow keeps its own fields
    assert at.number_input(key=Key.LAUNCH_K).value == 5
    choose(at, PRICE_REGRESSION)
    assert at.number_input(key=Key.LAUNCH_NUM_ROUND).value == 80


def test_a_dataset_too_small_to_split_warns_and_disables_price_regression_launch(
    active, sample_dataset, studio_home
):
    tiny_path = studio_home / "tiny.parquet"
    sample_dataset.transactions.head(8).to_parquet(tiny_path, index=False)  # fewer than 10 lines
    tiny = dataclasses.replace(active, content_hash="0" * 64, name="tiny.xlsx", path=str(tiny_path))

    at = choose(open_launch(tiny), PRICE_REGRESSION)

    assert "This run would fail" in at.warning[0].value
    assert "at least 10" in at.warning[0].value
    assert at.button(key="launch_run").disabled
    choose(at, "clustering")  # the check is the chosen workflow's own
    assert not any("at least 10" in warning.value for warning in at.warning)


def test_launching_price_regression_starts_a_run_with_the_chosen_parameters(active):
    at = choose(open_launch(active), PRICE_REGRESSION)
    at.number_input(key=Key.LAUNCH_NUM_ROUND).set_value(20).run()
    at.number_input(key=Key.LAUNCH_MAX_DEPTH).set_value(4).run()

    at.button(key="launch_run").click().run()

    assert not at.exception
    arn = at.session_state[Key.SELECTED_EXECUTION]
    backend = LocalBackend()
    try:
        listed = {item["executionArn"]: item for item in backend.list_executions()}
        assert listed[arn]["workflow"] == PRICE_REGRESSION
        parameters = listed[arn]["parameters"]
        assert (parameters["num_round"], parameters["max_depth"]) == (20, 4)
        assert parameters["rmse_threshold"] == RegressionParameters().rmse_threshold
    finally:
        description = wait_for_status(backend.client, arn, RUN_FINISH_TIMEOUT)
    assert description["status"] == "SUCCEEDED", description.get("cause")
    hyperparameters = json.loads(description["input"])
    assert (hyperparameters["NumRound"], hyperparameters["MaxDepth"]) == ("20", "4")
