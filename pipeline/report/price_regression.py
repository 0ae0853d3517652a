"""The price-regression workflow's part of a report: RMSEs against the threshold, predicted
against actual prices, residuals, feature importance and the StockCodes it misses most.

Figures come from the run's own files (``scores.json``, ``predictions.csv``,
``stock_codes.csv``, the model) through the workflow's reader and ``pipeline.views.price_charts``;
text from data (StockCodes, descriptions) is escaped like everything else.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.errors import WorkflowError
from pipeline.report.page import Section, metrics, paragraph, table
from pipeline.report.run_facts import RunFacts


def _number(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None else f"{float(value):,.{digits}f}"


def rmse_verdict(scores: dict[str, Any]) -> tuple[bool | None, str]:
    """Whether the validation RMSE met the threshold (the workflow's gate), in a sentence."""
    validation, threshold = scores.get("validation_rmse"), scores.get("rmse_threshold")
    if validation is None or threshold is None:
        return None, "The run did not reach its RMSE check."
    if float(validation) <= float(threshold):
        return True, (
            f"Passed: the validation RMSE {float(validation):,.3f} is at most the threshold "
            f"{float(threshold):,.3f}, so the model was accepted."
        )
    return False, (
        f"Not passed: the validation RMSE {float(validation):,.3f} is above the threshold "
        f"{float(threshold):,.3f}, so the run stopped before scoring and its model should not be used."
    )


#: Validation and test RMSEs further apart than this ratio are explained by their largest prices.
RMSE_GAP_EXPLAINED = 2.0


def validation_context(scores: dict[str, Any]) -> list[str]:
    """Sentences to read the gate's validation RMSE by: against always predicting the training mean
    on the same lines, and, when the validation and test RMSEs differ over ``RMSE_GAP_EXPLAINED``
    times, the splits' highest prices (RMSE weighs the largest errors most). A threshold alone
    said "within the threshold" of a model 1.4% better than that constant on the sample."""
    validation, baseline = scores.get("validation_rmse"), scores.get("baseline_validation_rmse")
    sentences = []
    if validation is not None and baseline:
        gain = 1 - float(validation) / float(baseline)
        compared = f"{gain:.0%} better than" if gain > 0 else "no better than"
        sentences.append(
            f"Always predicting the training mean would score {float(baseline):,.2f} on the validation "
            f"lines: the model is {compared} that."
        )
    test = scores.get("test_rmse")
    largest = scores.get("largest_price") or {}
    top_validation, top_test = largest.get("validation"), largest.get("test")
    if validation is None or not test or top_validation is None or top_test is None:
        return sentences
    ratio = max(float(validation), float(test)) / max(min(float(validation), float(test)), 1e-12)
    if ratio >= RMSE_GAP_EXPLAINED:
        sentences.append(
            f"The validation and test RMSEs differ {ratio:.0f}-fold ({float(validation):,.2f} and "
            f"{float(test):,.2f}): RMSE weighs the largest errors most, and the validation lines' highest "
            f"price is £{float(top_validation):,.2f} against £{float(top_test):,.2f} in the test lines."
        )
    return sentences


def no_better_than_the_mean(scores: dict[str, Any]) -> str | None:
    """A warning when the model's test RMSE is no better than always predicting the training
    lines' mean price (the baseline), else None. The workflow's gate compares the validation RMSE
    with a threshold the user chose, so a useless model passes a loose threshold (a small or
    random dataset); the page and the report say so rather than only "accepted"."""
    test, baseline = scores.get("test_rmse"), scores.get("baseline_test_rmse")
    if test is None or baseline is None or float(test) < float(baseline):
        return None
    return (
        f"But the model does no better than always predicting the mean price: its test RMSE "
        f"{float(test):,.2f} is not below the mean's {float(baseline):,.2f}. Do not use its predictions; "
        "try more data, the extended features or a lower RMSE threshold."
    )


def _gate_section(scores: dict[str, Any]) -> Section:
    from pipeline.views import price_charts

    section = Section("RMSE check")
    passed, sentence = rmse_verdict(scores)
    section.add(
        metrics(
            [
                ("Train RMSE", _number(scores.get("train_rmse"))),
                ("Validation RMSE", _number(scores.get("validation_rmse"))),
                ("Test RMSE", _number(scores.get("test_rmse"))),
                ("Threshold", _number(scores.get("rmse_threshold"))),
                ("Baseline validation RMSE", _number(scores.get("baseline_validation_rmse"))),
                ("Baseline test RMSE", _number(scores.get("baseline_test_rmse"))),
            ]
        ),
        paragraph(
            "RMSE is the typical size of a price error, in the currency of UnitPrice; the baseline always "
            "predicts the training mean, for scale."
        ),
        paragraph(sentence, "note" if passed is None else "pass" if passed else "fail"),
    )
    for context in validation_context(scores):
        section.add(paragraph(context, "note"))
    warning = no_better_than_the_mean(scores)
    if warning and passed:
        section.add(paragraph(warning, "fail"))
    section.add_figure(price_charts.rmse_chart(scores))
    return section


def _predictions_section(facts: RunFacts, results: Any) -> Section:
    from pipeline.views import price_charts

    section = Section("Predictions")
    scores, predictions = results.scores, results.predictions
    section.add(
        metrics(
            [
                ("Test lines", f"{len(predictions):,}"),
                ("Test MAE", _number(scores.get("test_mae"))),
                ("Test R²", _number(scores.get("test_r2"))),
            ]
        ),
        paragraph(f"Features: {', '.join(results.feature_names) or 'n/a'}."),
    )
    section.add_figure(price_charts.predicted_vs_actual(predictions))
    section.add_figure(price_charts.residual_histogram(predictions))
    importance = _importance(facts, results)
    if importance is not None:
        section.add_figure(price_charts.importance_chart(importance))
    section.add("<h3>StockCodes with the largest errors</h3>")
    section.add(
        paragraph("Ordered by their share of the test set's squared error: these weigh most in the RMSE."),
        table(
            price_charts.largest_errors(results.stock_codes).rename(
                columns=price_charts.LARGEST_ERRORS_HEADERS
            ),
            {
                "Share of squared error": lambda value: f"{value:.1%}",
                "Lines": lambda value: f"{int(value):,}",
                "Mean actual": lambda value: f"{value:,.2f}",
                "Mean predicted": lambda value: f"{value:,.2f}",
            },
        ),
    )
    return section


def _importance(facts: RunFacts, results: Any) -> pd.DataFrame | None:
    from pipeline.workflows.price_regression.model_file import feature_importance, read_booster

    if not results.model_uri:
        return None
    try:
        return feature_importance(read_booster(results.model_uri, facts.storage), results.feature_names)
    except Exception:  # a model that cannot be read only costs the importance chart
        return None


def price_regression_sections(facts: RunFacts) -> tuple[list[tuple[str, str]], list[Section]]:
    """The headline figures and the sections of a price-regression run."""
    try:
        results = facts.read_results()
    except WorkflowError as error:
        missing = Section("Predictions")
        missing.add(paragraph(f"No predictions to show: {error}", "note"))
        return [], [missing]
    scores = results.scores
    headline = [
        ("Validation RMSE", _number(scores.get("validation_rmse"))),
        ("Test RMSE", _number(scores.get("test_rmse"))),
        ("Threshold", _number(scores.get("rmse_threshold"))),
    ]
    return headline, [_gate_section(scores), _predictions_section(facts, results)]
