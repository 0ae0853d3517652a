"""AppTest runs of the k sweep's parts of the pages, on the real sample.

Launch: a fixed k or a range with its rule and concurrency, what a sweep will start said before
launching (training jobs, and on aws the instance type), a sweep launched from the page. Executions:
the Map state's iterations. Clusters: the sweep curve from the run's own sweep.json.

One sweep is made once for the module in a data directory of its own: k 2-8 on Poland's 6
customers, where k = 7 and 8 cannot train (each caught inside its own iteration). Expected
figures come from the run's sweep.json read through the backend, not from the page.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from support.aws_fakes import isolate_aws_environment
from support.cluster_support import make_runs
from support.page_support import APP, listed_runs, timelines, unescaped
from support.streamlit_caches import fresh_caches  # noqa: F401 - autouse: no cached backends or results

from pipeline.backends.local import LocalBackend
from pipeline.local.client import wait_for_status
from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import clusters
from ui.names import Key, Page
from ui.state import ActiveDataset

RUN_TIMEOUT = 120
RUN_FINISH_TIMEOUT = 300
SWEPT = list(range(2, 9))


@pytest.fixture(scope="module")
def sweep_run(sample_xlsx, tmp_path_factory):
    finished = make_runs(
        tmp_path_factory.mktemp("sweep-pages"),
        sample_xlsx,
        {"poland": ClusteringParameters(k_range=(2, 8), quality_threshold=-1.0, country="Poland")},
    )
    assert finished.descriptions["poland"]["status"] == "SUCCEEDED", finished.descriptions
    return finished


@pytest.fixture
def with_sweep(sweep_run, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(sweep_run.home))
    return sweep_run


@pytest.fixture
def active(sample_dataset, sample_clean, studio_home) -> ActiveDataset:
    """The real sample as the session's active dataset (its canonical Parquet in this test's home)."""
    _, report = sample_clean
    path = studio_home / "cache" / "ui" / f"{sample_dataset.content_hash}.transactions.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    sample_dataset.transactions.to_parquet(path, index=False)
    return ActiveDataset.of(sample_dataset, path, report)


def open_page(page: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.main.metric}


def table_with(at: AppTest, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def choose_sweep(at: AppTest) -> AppTest:
    return at.radio(key="launch_k_mode").set_value("Sweep a range of k").run()


# Launch ------------------------------------------------------------------------------------------


def test_launch_offers_a_fixed_k_by_default_and_a_range_rule_and_concurrency_for_a_sweep(active):
    at = open_page(Page.LAUNCH, **{Key.ACTIVE_DATASET: active})
    assert at.radio(key="launch_k_mode").value == "Fixed k"
    assert at.number_input(key="launch_k").value == 5
    assert not at.slider  # no range until a sweep is chosen

    choose_sweep(at)

    assert not at.exception and not at.warning
    assert at.slider(key="launch_k_range").value == (2, 10)
    assert at.selectbox(key="launch_pick").value == "silhouette"
    assert at.selectbox(key="launch_pick").options == ["Highest silhouette", "Elbow of the sum of squares"]
    assert at.number_input(key="launch_max_concurrency").value == 2
    assert "trains 9 training jobs (k = 2..10) on this machine, at most 2 at once" in at.info[0].value


def test_on_aws_the_page_says_how_many_training_jobs_on_which_instances_before_launching(
    active, monkeypatch, tmp_path
):
    isolate_aws_environment(monkeypatch, tmp_path)
    at = open_page(Page.LAUNCH, **{Key.ACTIVE_DATASET: active, Key.BACKEND: "aws"})
    choose_sweep(at)
    at.slider(key="launch_k_range").set_value((3, 6)).run()
    at.number_input(key="launch_max_concurrency").set_value(3).run()

    note = next(info.value for info in at.info if "SageMaker" in info.value)
    assert (
        "starts 4 training jobs (k = 3..6) on SageMaker, each on 1 x ml.m5.large, at most 3 at once" in note
    )


def test_a_sweep_the_data_cannot_run_warns_and_disables_launch(active):
    at = open_page(Page.LAUNCH, **{Key.ACTIVE_DATASET: active})
    choose_sweep(at)
    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value("Poland").run()
    at.slider(key="launch_k_range").set_value((7, 9)).run()

    assert "the smallest k of the sweep" in at.warning[0].value
    assert at.button(key="launch_run").disabled


def test_a_sweep_reaching_past_the_customers_says_which_ks_will_fail_and_still_launches(active):
    at = open_page(Page.LAUNCH, **{Key.ACTIVE_DATASET: active})
    choose_sweep(at)
    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value("Canada").run()  # 3 customers

    note = next(info.value for info in at.info if "training jobs" in info.value)
    assert "With 3 customers to cluster, k above 2 cannot be scored" in note
    assert "k is chosen from 2..2" in note
    assert not at.warning and not at.button(key="launch_run").disabled
    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value("All countries").run()
    assert "cannot be scored" not in next(info.value for info in at.info if "training jobs" in info.value)


def test_try_k_says_it_is_a_quick_preview_outside_the_workflow(active):
    at = open_page(Page.LAUNCH, **{Key.ACTIVE_DATASET: active})
    [expander] = [e for e in at.expander if e.label.startswith("Try k")]
    assert "quick preview, outside the workflow" in expander.label
    assert any("recorded nowhere" in caption.value for caption in expander.caption)


def test_launching_a_sweep_starts_an_execution_with_the_range_rule_and_concurrency(active):
    at = open_page(Page.LAUNCH, **{Key.ACTIVE_DATASET: active})
    choose_sweep(at)
    at.selectbox(key=f"launch_country_{active.content_hash[:12]}").set_value("Poland").run()
    at.slider(key="launch_k_range").set_value((2, 4)).run()
    at.selectbox(key="launch_pick").set_value("elbow").run()
    at.number_input(key="launch_max_concurrency").set_value(3).run()
    at.number_input(key="launch_threshold").set_value(-1.0).run()

    at.button(key="launch_run").click().run()

    arn = at.session_state[Key.SELECTED_EXECUTION]
    backend = LocalBackend()
    try:
        execution_input = json.loads(backend.describe(arn)["input"])
        assert execution_input["Sweep"] is True
        assert (execution_input["KMin"], execution_input["KMax"]) == (2, 4)
        assert (execution_input["PickRule"], execution_input["MaxConcurrency"]) == ("elbow", 3)
    finally:
        description = wait_for_status(backend.client, arn, RUN_FINISH_TIMEOUT)
    assert description["status"] == "SUCCEEDED", description.get("cause")
    assert backend.results(arn).sweep["rule"] == "elbow"


# Executions --------------------------------------------------------------------------------------


def test_executions_shows_each_iteration_of_the_sweeps_map_with_its_training_job(with_sweep):
    arn = with_sweep.arns["poland"]
    sweep = with_sweep.results["poland"].sweep
    at = open_page(Page.EXECUTIONS, **{Key.SELECTED_EXECUTION: arn})

    assert any(unescaped(header.value) == "Map state: Try each k" for header in at.subheader)
    shown = metrics(at)
    assert (shown["Iterations"], shown["Succeeded"], shown["Failed"]) == ("7", "5", "2")
    assert "Running" not in shown and "Pending" not in shown  # counted only while the Map runs
    assert "Aborted" not in shown and "Not started" not in shown  # named only for a Map ended early
    table = table_with(at, "Training job")
    assert table["Index"].tolist() == list(range(len(SWEPT)))
    jobs = {c["k"]: c["training_job_name"] for c in sweep["candidates"] if "training_job_name" in c}
    assert table["Training job"].tolist() == [jobs[k] for k in SWEPT]
    assert table["Status"].tolist() == ["succeeded"] * 5 + ["caught error"] * 2
    assert table["States"].iloc[-1] == "Train k -> k failed"
    labels = [unescaped(e.label) for e in at.expander if unescaped(e.label).startswith("Iteration ")]
    assert labels[0] == f"Iteration 0 · succeeded · {jobs[2]}"
    assert labels[-1] == f"Iteration 6 · caught error · {jobs[8]}"
    # Closed, an iteration draws nothing inside (seven iterations mounted fourteen JSON viewers
    # on every switch to the run); opened, its input and output.
    assert not at.json
    at.session_state[f"map_iteration_open_{arn}_Try each k_6"] = True
    at.run()
    assert not at.exception
    given, caught = [json.loads(view.value) for view in at.json]  # its input, its output
    assert given["k"] == caught["k"] == SWEPT[-1]
    assert caught["status"] == "FAILED" and "larger than the number of training rows" in caught["cause"]
    # The timeline names each visit's k: "Train k" seven times said nothing of which k was which.
    [timeline] = timelines(at)
    for k in SWEPT:
        assert f">Train k (k={k})<" in timeline
    assert [k for k in SWEPT if f">k failed (k={k})<" in timeline] == SWEPT[-2:]  # the caught errors


def test_a_fixed_k_execution_has_no_map_section(with_sweep, sample_xlsx):
    fixed = make_runs(
        with_sweep.home,
        sample_xlsx,
        {"fixed": ClusteringParameters(k=2, country="Poland")},
        read_results=False,
    )
    at = open_page(Page.EXECUTIONS, **{Key.SELECTED_EXECUTION: fixed.arns["fixed"]})
    assert not any("Map state" in header.value for header in at.subheader)
    assert "Iterations" not in metrics(at)


# Clusters ----------------------------------------------------------------------------------------


def test_clusters_draws_the_sweep_curve_from_the_runs_own_record_with_the_chosen_k_marked(with_sweep):
    sweep = with_sweep.results["poland"].sweep
    at = open_page(Page.CLUSTERS, **{Key.SELECTED_EXECUTION: with_sweep.arns["poland"]})
    assert clusters.SWEEP_VIEW in [tab.label for tab in at.tabs]  # a sweep's own view

    at.session_state[clusters.VIEW_KEY] = clusters.SWEEP_VIEW  # its tab opened
    at.run()

    assert not at.exception
    chosen = sweep["chosen_k"]
    assert any(
        unescaped(c.value).startswith(f"k = {chosen} chosen by the highest silhouette") for c in at.caption
    )
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    traces = {trace["name"]: trace for trace in figure["data"]}
    scored = [c for c in sweep["candidates"] if c["status"] == "SUCCEEDED"]
    assert traces["Silhouette"]["x"] == [c["k"] for c in scored]
    assert traces["Silhouette"]["y"] == pytest.approx([c["silhouette"] for c in scored])
    assert traces["Within-cluster sum of squares"]["y"] == pytest.approx([c["wcss"] for c in scored])
    assert traces[f"Chosen k = {chosen}"]["x"] == [chosen]
    assert traces["Failed k"]["x"] == [7, 8]
    table = table_with(at, "Silhouette")
    assert table["k"].tolist() == SWEPT
    assert table.loc[table["Chosen"], "k"].tolist() == [chosen]


def test_the_runs_table_shows_a_sweeps_range_and_the_k_it_chose_not_the_unused_fixed_k(with_sweep):
    arn = with_sweep.arns["poland"]
    chosen = with_sweep.results["poland"].sweep["chosen_k"]
    at = open_page(Page.EXECUTIONS, **{Key.SELECTED_EXECUTION: arn})

    table = listed_runs(at).set_index("Name")
    assert table.loc[arn.rsplit(":", 1)[-1], "k"] == f"{chosen} of 2-8"
