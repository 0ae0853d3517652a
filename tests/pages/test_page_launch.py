"""AppTest runs of the Launch page on the real sample: graph, parameters, preflight, Try k, Launch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest
from support.aws_fakes import isolate_aws_environment
from support.page_support import APP, definition_states, drawn_workflow, open_definitions, sidebar_backend

from pipeline.backends.local import LocalBackend
from pipeline.local.client import wait_for_status
from pipeline.views.graph import NOT_REACHED, STATUS_COLOURS
from ui import backend as ui_backend
from ui.names import Key, Page
from ui.state import ActiveDataset

LAUNCH_PAGE = Page.LAUNCH
RUN_TIMEOUT = 120  # a busy, shared 2-core machine
RUN_FINISH_TIMEOUT = 300


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


def open_launch(active: ActiveDataset | None = None, backend: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if active is not None:
        at.session_state[Key.ACTIVE_DATASET] = active
    if backend is not None:
        at.session_state[Key.BACKEND] = backend
    at.run()
    at.switch_page(LAUNCH_PAGE).run()
    return at


def launch_button(at: AppTest):
    return at.button(key="launch_run")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The page's first table that has ``column`` (AppTest does not expose dataframe keys)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


#: A preflight check's line of text (``ui.launch.check_line``): "Name (passed|failed): message".
CHECK_LINE = re.compile(r"(?s)^(?P<Check>[^(\n]+) \((?P<Result>passed|failed)\): (?P<Message>.*)$")


def preflight_table(at: AppTest) -> pd.DataFrame:
    """The preflight checks the page shows, one row a check line, in the page's order."""
    found = [CHECK_LINE.match(text.value) for text in at.main.text]
    rows = [match.groupdict() for match in found if match]
    return pd.DataFrame(rows, columns=["Result", "Check", "Message"])


def test_without_a_dataset_the_page_says_to_load_one_on_the_data_page():
    at = open_launch()

    assert not at.exception
    assert [link.label for link in at.get("page_link")] == ["Load a dataset on the Data page"]
    assert "Load a dataset on the Data page first" in at.info[0].value
    assert not at.get("plotly_chart")
    assert "No dataset loaded yet" in at.sidebar.caption[0].value  # the sidebar still renders


def test_with_the_sample_the_page_shows_graph_parameters_preflight_and_definitions(active):
    at = open_launch(active)

    assert not at.exception and not at.error
    assert at.number_input(key="launch_k").value == 5
    assert at.number_input(key="launch_threshold").value == pytest.approx(0.25)
    assert str(at.date_input(key=f"launch_as_of_{active.content_hash[:12]}").value) == "2011-12-10"
    countries = at.selectbox(key=f"launch_country_{active.content_hash[:12]}").options
    assert countries[0] == "All countries" and "United Kingdom" in countries
    assert preflight_table(at)["Result"].tolist() == ["passed", "passed"]
    assert not launch_button(at).disabled
    asl, cfn = open_definitions(at)
    definition = asl.value  # shown expanded, indented, in a scrollable box
    graph = drawn_workflow(at)
    assert set(graph["states"]) == definition_states(
        json.loads(definition)
    )  # the SDK's, with and without a k sweep
    assert {"Train KMeans", "Try each k", "Train k", "Pick k"} <= set(graph["states"])
    assert json.loads(definition)["StartAt"] == "Prepare RFM features"
    template = yaml.safe_load(cfn.value)
    machine = template["Resources"]["StateMachineComponent"]
    assert machine["Type"] == "AWS::StepFunctions::StateMachine"
    assert json.loads(machine["Properties"]["DefinitionString"]) == json.loads(definition)
    assert len(at.get("download_button")) == 2


def test_the_definitions_are_drawn_only_once_their_section_is_opened_and_stay_open(active):
    at = open_launch(active)
    assert not [code for code in at.code if code.language in {"json", "yaml"}]  # closed: not sent
    assert not at.get("download_button")
    assert [e.label for e in at.expander if e.label.startswith("The definitions")] == [
        "The definitions: ASL JSON and CloudFormation template"
    ]

    asl, cfn = open_definitions(at)
    assert json.loads(asl.value)["StartAt"] == "Prepare RFM features"
    assert "AWS::StepFunctions::StateMachine" in cfn.value

    at.number_input(key="launch_k").set_value(4).run()  # a parameter change keeps it open
    assert len([code for code in at.code if code.language in {"json", "yaml"}]) == 2


def test_try_k_plots_elbow_and_silhouette_and_offers_the_best_k(active):
    at = open_launch(active)

    at.button(key="launch_try_k").click().run()

    assert not at.exception and not at.error
    table = table_with(at, "Silhouette")
    assert table["k"].tolist() == list(range(2, 11))
    assert "Within-cluster sum of squares" in table.columns and "inertia" not in table.columns
    assert at.get("plotly_chart")
    best = int(table.loc[table["Silhouette"].idxmax(), "k"])
    assert at.button(key="launch_use_best_k").label == f"Use k = {best}"
    at.number_input(key="launch_k").set_value(3 if best == 2 else 2).run()  # any k but the best
    at.button(key="launch_use_best_k").click().run()
    assert at.number_input(key="launch_k").value == best


def test_try_k_on_a_country_with_one_customer_says_to_widen_the_filters(active):
    at = open_launch(active)
    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value("Iceland").run()

    at.button(key="launch_try_k").click().run()

    assert not at.exception
    assert "Widen the filters" in at.error[0].value
    assert not at.get("plotly_chart")  # no k chart (the workflow graph is SVG)
    assert drawn_workflow(at)["states"]


def test_launch_on_the_local_backend_starts_an_execution_and_opens_it(active):
    at = open_launch(active)
    at.number_input(key="launch_k").set_value(3).run()
    at.number_input(key="launch_threshold").set_value(0.0).run()

    launch_button(at).click().run()

    arn = at.session_state[Key.SELECTED_EXECUTION]
    assert at.session_state[Key.LAUNCHED_HERE] == {arn}  # this session may stop it without a note
    backend = LocalBackend()
    try:
        listed = {item["executionArn"]: item for item in backend.list_executions()}
        assert arn in listed
        assert listed[arn]["parameters"]["k"] == 3
        assert listed[arn]["dataset"] == active.name
    finally:
        description = wait_for_status(backend.client, arn, RUN_FINISH_TIMEOUT)
    assert description["status"] == "SUCCEEDED", description.get("cause")


def test_the_aws_backend_without_settings_shows_failed_checks_and_disables_launch(
    active, monkeypatch, tmp_path
):
    isolate_aws_environment(monkeypatch, tmp_path)

    at = open_launch(active, backend="aws")

    assert not at.exception
    checks = preflight_table(at)
    failed = checks[checks["Result"] == "failed"]
    assert "Region" in failed["Check"].tolist()
    assert failed["Message"].str.contains("RFM_AWS_REGION").any()
    assert checks["Result"].tolist() == sorted(checks["Result"], key=lambda result: result != "failed")
    assert not [frame for frame in at.dataframe if "Check" in frame.value.columns]  # text, not a grid
    assert launch_button(at).disabled
    assert at.button(key="launch_deploy").disabled
    assert at.selectbox(key="launch_instance_type").value == "ml.m5.large"
    assert at.number_input(key="launch_instance_count").value == 1
    assert "placeholder settings" in at.warning[0].value
    assert "Train KMeans" in drawn_workflow(at)["states"]  # the workflow is still drawn


def test_the_backend_chosen_on_launch_is_kept_on_every_page_and_named_in_the_sidebar(
    active, monkeypatch, tmp_path
):
    isolate_aws_environment(monkeypatch, tmp_path)
    at = open_launch(active)
    choice = at.radio(key=Key.BACKEND)
    assert choice.value == "local" and choice.label == "Run on"
    assert sidebar_backend(at) == "Local engine (this machine)"

    choice.set_value("aws").run()
    assert sidebar_backend(at) == "AWS (Step Functions + SageMaker)"
    assert launch_button(at).disabled  # aws without settings: its preflight fails

    for page in (Page.HOME, Page.EXECUTIONS, Page.DATA):  # pages that do not draw the radio
        at.switch_page(page).run()
        assert not at.exception
        assert sidebar_backend(at) == "AWS (Step Functions + SageMaker)", page
    assert "AWS (Step Functions + SageMaker)" in [
        text.value for text in at.switch_page(Page.HOME).run().main.text
    ]

    at.switch_page(LAUNCH_PAGE).run()
    assert at.radio(key=Key.BACKEND).value == "aws"


def test_without_a_dataset_the_backend_can_still_be_chosen(monkeypatch, tmp_path):
    isolate_aws_environment(monkeypatch, tmp_path)
    at = open_launch()

    at.radio(key=Key.BACKEND).set_value("aws").run()

    assert not at.exception
    assert "Load a dataset on the Data page first" in at.info[0].value
    assert sidebar_backend(at) == "AWS (Step Functions + SageMaker)"


def customers_in(sample_xlsx: Path, country: str) -> int:
    """Customers of ``country`` in the sample, counted with plain pandas from the raw workbook."""
    raw = pd.read_excel(sample_xlsx, engine="calamine")
    keep = raw["CustomerID"].notna() & ~raw["InvoiceNo"].astype(str).str.startswith("C")
    keep &= (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0) & (raw["Country"] == country)
    return int(raw.loc[keep, "CustomerID"].nunique())


def test_k_above_the_customers_of_the_chosen_country_warns_and_disables_launch(active, sample_xlsx):
    customers = customers_in(sample_xlsx, "Canada")
    assert 2 <= customers < 5  # the sample's Canada: fewer customers than the default k
    at = open_launch(active)
    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value("Canada").run()

    assert not at.exception
    assert f"Only {customers} customers in Canada" in at.warning[0].value
    assert f"choose k of at most {customers - 1}" in at.warning[0].value
    assert launch_button(at).disabled
    at.number_input(key="launch_k").set_value(customers).run()  # one cluster a customer: no score
    assert launch_button(at).disabled
    at.number_input(key="launch_k").set_value(customers - 1).run()
    assert not at.warning and not launch_button(at).disabled


def test_an_as_of_date_before_the_last_invoice_warns_and_disables_launch(active):
    at = open_launch(active)

    at.date_input(key=f"launch_as_of_{active.content_hash[:12]}").set_value(active.first_invoice).run()

    assert not at.exception
    assert "before the last invoice" in at.warning[0].value
    assert launch_button(at).disabled
    assert preflight_table(at)["Result"].tolist() == ["passed", "passed"]  # the backend itself is fine


def test_the_workflow_preview_draws_every_state_not_started_without_a_status_legend(active):
    at = open_launch(active)

    graph = drawn_workflow(at)
    asl, _ = open_definitions(at)
    assert set(graph["states"]) == definition_states(json.loads(asl.value))
    assert set(graph["fills"]) == {STATUS_COLOURS[NOT_REACHED][0]}
    assert len(graph["fills"]) == len(graph["states"])  # one box a state
    assert graph["legend"] is False
    assert graph["buttons"] == []  # nothing to open before a run
    assert graph["states"]["Try each k"] == "Try each k: Map"


def test_the_cached_preflight_survives_a_reload_of_the_check_class(studio_home, monkeypatch):
    # A server whose code changed reloads pipeline.backends.base: a Check made by the old class
    # could no longer be pickled by st.cache_data, and Launch said the preflight failed.
    import pipeline.backends.base as base

    old_check = base.Check
    reloaded = type("Check", (), {"__init__": lambda self, *args: None})
    monkeypatch.setattr(base, "Check", reloaded)  # the name now names another class
    monkeypatch.setattr(ui_backend, "Check", old_check)  # the page's module still has the old one

    checks = ui_backend.checks_of("local")

    assert checks and all(isinstance(check, old_check) for check in checks)
    assert all(check.ok for check in checks), checks
