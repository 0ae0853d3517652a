"""``python -m pipeline run --workflow price-regression`` and ``results`` for both workflows, locally,
with real worker processes."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from pipeline.__main__ import main
from pipeline.commands.results import format_headline
from pipeline.local.client import LocalStepFunctionsClient
from pipeline.workflows.price_regression.parameters import DEFAULT_RMSE_THRESHOLD
from pipeline.workflows.price_regression.steps import CHOICE_STATE, SUCCEED_STATE, TASKS_IN_ORDER


@pytest.fixture(scope="module")
def waited_run(sample_xlsx, tmp_path_factory):
    """One price-regression run through the command line, followed to its end, and its data directory."""
    home = str(tmp_path_factory.mktemp("cli-price-regression"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", home)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["run", str(sample_xlsx), "--workflow", "price-regression", "--wait"])
    return {"code": code, "lines": out.getvalue().splitlines(), "home": home}


@pytest.mark.slow
def test_run_wait_follows_the_regression_and_prints_its_rmses(waited_run):
    lines = waited_run["lines"]
    assert waited_run["code"] == 0, lines
    assert lines[0].startswith(
        "arn:aws:states:local:000000000000:execution:rfm-studio-price-regression:price-"
    )
    entered = [line.split("-> ", 1)[1] for line in lines if "  -> " in line]
    assert entered == [*TASKS_IN_ORDER[:4], CHOICE_STATE, *TASKS_IN_ORDER[4:], SUCCEED_STATE]
    assert "Status: SUCCEEDED" in lines
    figures = dict(line.split(": ", 1) for line in lines[lines.index("Status: SUCCEEDED") + 1 :])
    assert set(figures) >= {"train RMSE", "validation RMSE", "test RMSE", "RMSE threshold"}
    assert float(figures["validation RMSE"]) < float(figures["RMSE threshold"]) == DEFAULT_RMSE_THRESHOLD


@pytest.mark.slow
def test_results_json_gives_the_runs_workflow_and_figures(waited_run, capsys, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", waited_run["home"])
    arn = waited_run["lines"][0]

    assert main(["results", arn, "--json"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert document["workflow"] == "price-regression"
    assert document["location"].endswith("/runs/" + arn.rsplit(":", 1)[1])
    figures = document["figures"]
    assert figures["rmse_threshold"] == DEFAULT_RMSE_THRESHOLD
    assert 0 < figures["validation_rmse"] < figures["rmse_threshold"]
    assert figures["train_rmse"] > 0 and figures["test_rmse"] > 0
    assert figures["predictions"] > 0


@pytest.mark.slow
def test_results_prints_the_workflow_and_the_figures_one_a_line(waited_run, capsys, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", waited_run["home"])
    arn = waited_run["lines"][0]

    assert main(["results", arn]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [f"Execution: {arn}", "Workflow:  price-regression (Price regression)"]
    assert any(line.startswith("test RMSE: ") for line in lines)


@pytest.mark.slow
def test_results_takes_the_run_name_the_app_shows_as_well_as_the_arn(waited_run, capsys, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", waited_run["home"])
    arn = waited_run["lines"][0]
    name = arn.rsplit(":", 1)[1]

    assert main(["results", name, "--json"]) == 0

    assert json.loads(capsys.readouterr().out)["execution_arn"] == arn


def test_an_option_of_the_other_workflow_is_refused_and_nothing_starts(sample_xlsx, capsys):
    assert main(["run", str(sample_xlsx), "--workflow", "price-regression", "--k", "3"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Not an option of the price-regression workflow: --k (clustering)" in captured.err
    assert LocalStepFunctionsClient().list_state_machines()["stateMachines"] == []


def test_a_regression_option_with_the_default_workflow_is_refused(sample_xlsx, capsys):
    assert main(["run", str(sample_xlsx), "--eta", "0.1"]) == 2
    assert "Not an option of the clustering workflow: --eta (price-regression)" in capsys.readouterr().err


def test_run_refuses_bad_hyperparameters_with_exit_status_2(sample_xlsx, capsys):
    args = ["run", str(sample_xlsx), "--workflow", "price-regression", "--num-round", "0", "--eta", "2"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "num_round is the number of boosting rounds" in err
    assert "eta is the learning rate" in err


def test_results_of_an_unknown_execution_exit_2(capsys):
    arn = "arn:aws:states:local:000000000000:execution:rfm-studio-price-regression:none"
    assert main(["results", arn]) == 2
    assert "No local execution" in capsys.readouterr().err


def test_headline_figures_print_as_labelled_lines_and_nested_sizes_indented():
    lines = format_headline(
        {"validation_rmse": 26.14175, "rmse_threshold": 30.0, "test_r2": None, "cluster_sizes": {"A": 1200}}
    )
    assert lines == [
        "validation RMSE: 26.14175",
        "RMSE threshold: 30",
        "test R²: -",
        "cluster sizes:",
        "  A: 1,200",
    ]
