"""The report of a real price-regression run of the sample: its own section, figures from scores.json."""

from __future__ import annotations

import pytest
from support.cluster_support import make_runs

from pipeline.backends.local import LocalBackend
from pipeline.report.build import build_report
from pipeline.report.price_regression import no_better_than_the_mean, validation_context
from pipeline.workflows.price_regression.parameters import RegressionParameters


@pytest.fixture(scope="module")
def price_run(sample_xlsx, tmp_path_factory):
    finished = make_runs(
        tmp_path_factory.mktemp("price-report-home"), sample_xlsx, {"price": RegressionParameters()}
    )
    assert finished.descriptions["price"]["status"] == "SUCCEEDED", finished.descriptions["price"]
    return finished


@pytest.fixture
def report(price_run, monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME", str(price_run.home))
    return build_report(LocalBackend(), price_run.arns["price"])


def test_the_report_states_the_rmses_against_the_threshold_from_the_runs_scores(report, price_run):
    scores = price_run.results["price"].scores
    html = report.html
    assert f"Price regression report: {report.run_name}" in html
    for label, key in (
        ("Train RMSE", "train_rmse"),
        ("Validation RMSE", "validation_rmse"),
        ("Test RMSE", "test_rmse"),
    ):
        assert f'<div class="label">{label}</div><div class="value">{scores[key]:,.3f}</div>' in html
    assert (
        f"Passed: the validation RMSE {scores['validation_rmse']:,.3f} is at most the threshold "
        f"{scores['rmse_threshold']:,.3f}"
    ) in html


def test_the_report_draws_rmse_predictions_residuals_importance_and_lists_the_worst_stock_codes(
    report, price_run
):
    # dataset (2) + RMSE bars, predicted vs actual, residuals, importance + step timeline
    assert report.figures == 2 + 4 + 1
    worst = price_run.results["price"].stock_codes.sort_values("SquaredErrorShare", ascending=False)
    assert "<h3>StockCodes with the largest errors</h3>" in report.html
    assert f"<td>{worst['StockCode'].iloc[0]}</td>" in report.html
    section = report.html[report.html.index("<h3>StockCodes with the largest errors</h3>") :]
    head = section[section.index("<thead>") : section.index("</thead>")]
    for header in ("Mean actual", "Mean predicted", "Share of squared error"):  # the Prices page's words
        assert f"<th>{header}</th>" in head
    assert "MeanActual" not in head and "SquaredErrorShare" not in head
    assert f'<td class="num">{worst["SquaredErrorShare"].iloc[0]:.1%}</td>' in section


def test_the_parameters_are_named_as_launch_names_them(report):
    params = RegressionParameters()
    assert f"<th>RMSE threshold</th><td>{params.rmse_threshold}</td>" in report.html
    assert f"<th>Boosting rounds (num_round)</th><td>{params.num_round}</td>" in report.html
    assert f"<th>Learning rate (eta)</th><td>{params.eta}</td>" in report.html
    assert "<th>rmse_threshold</th>" not in report.html and "<th>num_round</th>" not in report.html
    assert "Prepare" in report.html and "workflow-graph" in report.html


def test_a_model_no_better_than_the_mean_is_flagged_even_when_it_passed_its_threshold(report, price_run):
    """The gate compares the validation RMSE with the user's threshold, so a useless model can
    pass it. The real run beats the mean (no warning); the same scores with a baseline below its
    test RMSE (what a random dataset gave a reviewer: test RMSE 6.46 against the mean's 5.30) are
    flagged, with both numbers."""
    scores = price_run.results["price"].scores
    assert scores["test_rmse"] < scores["baseline_test_rmse"]
    assert no_better_than_the_mean(scores) is None
    assert "no better than always predicting the mean" not in report.html

    useless = {**scores, "baseline_test_rmse": scores["test_rmse"] * 0.8}
    warning = no_better_than_the_mean(useless)

    assert warning is not None
    assert f"{scores['test_rmse']:,.2f}" in warning and f"{useless['baseline_test_rmse']:,.2f}" in warning
    assert no_better_than_the_mean({**scores, "baseline_test_rmse": None}) is None


def test_the_gate_is_read_against_the_validation_lines_own_baseline_and_largest_prices(report, price_run):
    scores = price_run.results["price"].scores
    context = validation_context(scores)

    assert len(context) == 2  # the baseline, and the sample's ninefold gap explained
    assert f"{scores['baseline_validation_rmse']:,.2f}" in context[0]
    assert "£1,270.06" in context[1]
    baseline = f"{scores['baseline_validation_rmse']:,.3f}"
    assert (
        f'<div class="label">Baseline validation RMSE</div><div class="value">{baseline}</div>' in report.html
    )
    for sentence in context:
        assert sentence.replace("'", "&#x27;") in report.html


def test_validation_context_says_no_better_and_stays_silent_on_runs_without_the_figures(price_run):
    scores = price_run.results["price"].scores
    worse = {**scores, "baseline_validation_rmse": scores["validation_rmse"] * 0.9}

    assert "the model is no better than that" in validation_context(worse)[0]
    close = {**scores, "test_rmse": scores["validation_rmse"] / 1.5}
    assert len(validation_context(close)) == 1  # RMSEs within 2x of each other: nothing to explain
    older = {
        key: value
        for key, value in scores.items()
        if key not in ("baseline_validation_rmse", "largest_price")
    }
    assert validation_context(older) == []  # a run scored before these figures existed
