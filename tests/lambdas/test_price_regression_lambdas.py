"""The price-regression Lambdas on the real UCI sample, run on a local bucket.

The batch-transform output the scoring handler reads is made here by ``xgboost.train`` on the
prepared CSVs, written as the container writes text/csv predictions (one number a line).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

from lambdas.prepare_prices.handler import csv_bytes, prepare, price_table, split_positions
from lambdas.score_predictions.handler import errors_by_stock_code, score
from lambdas.validate_rmse.handler import validate
from pipeline.errors import DataError
from pipeline.storage import LocalBucketStorage
from pipeline.workflows.price_regression.checks import MIN_ROWS, rows_problem, threshold_problem
from pipeline.workflows.price_regression.layout import RegressionLayout
from pipeline.workflows.price_regression.parameters import FEATURE_SETS, RegressionParameters

BUCKET = "test-bucket"
DATA_URI = f"s3://{BUCKET}/studio/raw/sample.parquet"


@pytest.fixture(scope="module")
def clean(sample_clean) -> pd.DataFrame:
    return sample_clean[0]


@pytest.fixture(scope="module")
def storage(tmp_path_factory, sample_dataset) -> LocalBucketStorage:
    storage = LocalBucketStorage(tmp_path_factory.mktemp("bucket"))
    buffer = io.BytesIO()
    sample_dataset.transactions.to_parquet(buffer, index=False)
    storage.write_bytes(DATA_URI, buffer.getvalue())
    return storage


def run_prefix(run: str) -> str:
    return f"s3://{BUCKET}/studio/runs/{run}"


@pytest.fixture(scope="module")
def prepared(storage) -> dict:
    return prepare({"DataUri": DATA_URI, "RunPrefix": run_prefix("main"), "FeatureSet": "basic"}, storage)


def read_csv(storage, uri: str) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(storage.read_bytes(uri)), header=None, keep_default_na=False, na_values=[""]
    )


# --- prepare ---------------------------------------------------------------------------------------


def test_prepare_splits_every_cleaned_line_70_20_10(prepared, clean):
    rows = len(clean)
    assert prepared["rows"] == rows
    assert (prepared["train_rows"], prepared["validation_rows"], prepared["test_rows"]) == (
        int(rows * 0.7),
        int(rows * 0.9) - int(rows * 0.7),
        rows - int(rows * 0.9),
    )


def test_train_and_validation_are_headerless_csv_with_the_unit_price_first(storage, prepared, clean):
    layout = RegressionLayout(run_prefix("main"))
    train = read_csv(storage, layout.train_file_uri)
    validation = read_csv(storage, layout.validation_file_uri)
    assert (len(train), len(validation)) == (prepared["train_rows"], prepared["validation_rows"])
    assert train.shape[1] == validation.shape[1] == 1 + len(FEATURE_SETS["basic"])
    assert train.dtypes.map(lambda d: d.kind in "if").all()  # numbers only: no header row
    combined = pd.concat([train[0], validation[0]])
    assert combined.isin(clean["UnitPrice"]).all()


def test_the_test_file_has_the_features_without_the_label_and_the_labels_are_kept_in_order(
    storage, prepared, clean
):
    layout = RegressionLayout(run_prefix("main"))
    features = read_csv(storage, layout.test_features_uri)
    held_out = pd.read_parquet(io.BytesIO(storage.read_bytes(layout.test_rows_uri)))
    table = price_table(clean, "basic")
    _, _, test = split_positions(len(table))
    assert features.shape == (prepared["test_rows"], len(FEATURE_SETS["basic"]))
    np.testing.assert_array_equal(features.to_numpy(), table.iloc[test, 1:].to_numpy(dtype="float64"))
    np.testing.assert_array_equal(held_out["UnitPrice"].to_numpy(), table.iloc[test]["UnitPrice"].to_numpy())
    assert held_out["StockCode"].tolist() == clean.iloc[test]["StockCode"].tolist()


def test_stock_codes_become_category_codes_one_a_distinct_code(clean):
    table = price_table(clean, "basic")
    pairs = pd.DataFrame(
        {"code": table["StockCode"], "stock": clean["StockCode"].to_numpy()}
    ).drop_duplicates()
    assert pairs["code"].is_unique and pairs["stock"].is_unique
    assert sorted(pairs["code"]) == list(range(clean["StockCode"].nunique()))
    first = sorted(clean["StockCode"].unique())[0]
    assert table.loc[clean["StockCode"].to_numpy() == first, "StockCode"].eq(0).all()


def test_a_missing_customer_stays_an_empty_field_which_xgboost_reads_as_missing(clean, tmp_path):
    lines = clean.head(3).copy()
    lines["CustomerID"] = pd.array([17850, None, 13047], dtype="Int64")
    path = tmp_path / "lines.csv"
    path.write_bytes(csv_bytes(price_table(lines, "basic")))

    # XGBoost's own CSV parser, as the 1.7-1 container reads a text/csv channel
    matrix = xgboost.DMatrix(f"{path}?format=csv&label_column=0")

    assert [line.split(",")[3] for line in path.read_text().splitlines()] == ["17850", "", "13047"]
    assert matrix.num_row() == 3 and matrix.num_col() == 3
    assert matrix.get_data().nnz == 8  # the empty field is a missing value, not a 0


def test_the_extended_set_adds_country_codes_and_the_invoice_month_and_weekday(clean):
    table = price_table(clean, "extended")
    assert list(table.columns) == ["UnitPrice", *FEATURE_SETS["extended"]]
    dates = pd.to_datetime(clean["InvoiceDate"])
    assert table["InvoiceMonth"].tolist() == dates.dt.month.tolist()
    assert table["InvoiceWeekday"].tolist() == dates.dt.day_of_week.tolist()
    assert table["Country"].nunique() == clean["Country"].nunique()


def test_prepare_with_the_extended_set_writes_six_feature_columns(storage):
    payload = prepare(
        {"DataUri": DATA_URI, "RunPrefix": run_prefix("ext"), "FeatureSet": "extended"}, storage
    )
    assert payload["features"] == list(FEATURE_SETS["extended"])
    assert read_csv(storage, payload["test_features_uri"]).shape[1] == 6
    described = json.loads(storage.read_bytes(payload["features_uri"]))
    assert described["features"] == list(FEATURE_SETS["extended"])


def test_the_split_is_seeded_so_a_rerun_writes_the_same_files(storage, prepared):
    prepare({"DataUri": DATA_URI, "RunPrefix": run_prefix("again"), "FeatureSet": "basic"}, storage)
    for attribute in ("train_file_uri", "validation_file_uri", "test_features_uri"):
        first = storage.read_bytes(getattr(RegressionLayout(run_prefix("main")), attribute))
        again = storage.read_bytes(getattr(RegressionLayout(run_prefix("again")), attribute))
        assert first == again, attribute


def test_prepare_refuses_an_unknown_feature_set(storage):
    with pytest.raises(DataError, match="Unknown feature set 'all'"):
        prepare({"DataUri": DATA_URI, "RunPrefix": run_prefix("x"), "FeatureSet": "all"}, storage)


def test_prepare_refuses_too_few_lines_with_the_launch_checks_sentence(storage, sample_dataset):
    few = storage_with(storage, sample_dataset.transactions.head(12), "few.parquet")
    with pytest.raises(DataError) as error:
        prepare({"DataUri": few, "RunPrefix": run_prefix("few"), "FeatureSet": "basic"}, storage)
    assert str(error.value).startswith("Only ")
    assert str(error.value) == rows_problem(int(str(error.value).split()[1]))
    assert int(str(error.value).split()[1]) < MIN_ROWS


def storage_with(storage, frame: pd.DataFrame, name: str) -> str:
    uri = f"s3://{BUCKET}/studio/raw/{name}"
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    storage.write_bytes(uri, buffer.getvalue())
    return uri


def test_prepare_says_when_the_dataset_is_missing(storage):
    with pytest.raises(DataError, match="does not exist: launch the run again"):
        prepare({"DataUri": f"s3://{BUCKET}/nothing.parquet", "RunPrefix": run_prefix("y")}, storage)


# --- validate RMSE ---------------------------------------------------------------------------------

#: FinalMetricDataList as DescribeTrainingJob returns it for the built-in XGBoost (via the .sync task).
FINAL_METRICS = [
    {"MetricName": "train:rmse", "Value": 2.86259, "Timestamp": "2024-01-01T12:00:00Z"},
    {"MetricName": "validation:rmse", "Value": 26.14175, "Timestamp": "2024-01-01T12:00:00Z"},
]


def test_validate_reads_both_rmses_from_the_training_jobs_final_metrics():
    result = validate({"TrainingJobName": "job", "RmseThreshold": 30.0, "FinalMetricDataList": FINAL_METRICS})
    assert result == {
        "train_rmse": 2.86259,
        "validation_rmse": 26.14175,
        "threshold": 30.0,
        "within_threshold": True,
    }


def test_validate_says_whether_the_rmse_is_within_the_threshold():
    result = validate({"RmseThreshold": 20, "FinalMetricDataList": FINAL_METRICS})
    assert result["within_threshold"] is False
    assert result["threshold"] == 20.0


def test_validate_without_a_validation_metric_names_what_the_job_reported():
    with pytest.raises(
        DataError, match=r"job-7 reported no validation:rmse \(its final metrics: train:rmse\)"
    ):
        validate(
            {"TrainingJobName": "job-7", "RmseThreshold": 30.0, "FinalMetricDataList": FINAL_METRICS[:1]}
        )


@pytest.mark.parametrize("threshold", [None, "30", -2.0, 0])
def test_validate_refuses_a_threshold_the_launch_check_refuses(threshold):
    with pytest.raises(DataError) as error:
        validate({"RmseThreshold": threshold, "FinalMetricDataList": FINAL_METRICS})
    assert str(error.value) == threshold_problem(threshold)


# --- score predictions -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def predicted(storage, prepared) -> np.ndarray:
    """Train on the prepared CSVs with the workflow's hyperparameters; write the transform's output."""
    layout = RegressionLayout(run_prefix("main"))
    train = read_csv(storage, layout.train_file_uri).to_numpy("float32")
    hyper = RegressionParameters().hyperparameters()
    rounds = int(hyper.pop("num_round"))
    booster = xgboost.train(hyper, xgboost.DMatrix(train[:, 1:], label=train[:, 0]), rounds)
    features = read_csv(storage, layout.test_features_uri).to_numpy("float32")
    predictions = booster.predict(xgboost.DMatrix(features))
    text = "\n".join(map(str, predictions.tolist())) + "\n"  # the container's text/csv answer
    storage.write_bytes(layout.transform_output_file_uri, text.encode())
    return np.array([float(value) for value in text.split()])


def score_event(run: str = "main", **extra) -> dict:
    layout = RegressionLayout(run_prefix(run))
    return {
        "RunPrefix": layout.run_prefix,
        "TransformOutputUri": layout.transform_output_uri,
        "TestRowsUri": layout.test_rows_uri,
        "TrainUri": layout.train_uri,
        "FeaturesUri": layout.features_uri,
        "ModelUri": f"{layout.model_output_uri}/job/output/model.tar.gz",
        "TrainRmse": 2.9,
        "ValidationRmse": 26.1,
        "RmseThreshold": 30.0,
        **extra,
    }


@pytest.fixture(scope="module")
def scored(storage, predicted) -> dict:
    return score(score_event(), storage)


@pytest.fixture(scope="module")
def held_out(storage, prepared) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(storage.read_bytes(prepared["test_rows_uri"])))


def test_scoring_computes_test_rmse_mae_and_r2_as_scikit_learn_does(scored, predicted, held_out):
    actual = held_out["UnitPrice"].to_numpy()
    assert scored["test_rmse"] == pytest.approx(root_mean_squared_error(actual, predicted), rel=1e-12)
    assert scored["test_mae"] == pytest.approx(mean_absolute_error(actual, predicted), rel=1e-12)
    assert scored["test_r2"] == pytest.approx(r2_score(actual, predicted), rel=1e-12)
    assert (scored["train_rmse"], scored["validation_rmse"], scored["rmse_threshold"]) == (2.9, 26.1, 30.0)
    assert scored["predictions"] == len(held_out)


def test_scoring_writes_one_prediction_row_per_held_out_line(storage, scored, predicted, held_out):
    table = pd.read_csv(io.BytesIO(storage.read_bytes(scored["predictions_uri"])), dtype={"StockCode": str})
    assert len(table) == len(held_out)
    assert table["StockCode"].tolist() == held_out["StockCode"].tolist()
    np.testing.assert_allclose(table["Predicted"], predicted)
    np.testing.assert_allclose(table["Error"], predicted - held_out["UnitPrice"].to_numpy())


def test_scores_compare_with_always_predicting_the_training_mean(storage, scored, held_out):
    scores = json.loads(storage.read_bytes(scored["scores_uri"]))
    train = read_csv(storage, RegressionLayout(run_prefix("main")).train_file_uri)
    baseline = root_mean_squared_error(held_out["UnitPrice"], np.full(len(held_out), train[0].mean()))
    assert scores["baseline_test_rmse"] == pytest.approx(baseline, rel=1e-12)
    assert scores["features"] == list(FEATURE_SETS["basic"])
    assert scores["model_uri"].endswith("/model.tar.gz")


def test_the_validation_rmse_gets_its_own_baseline_and_each_split_its_highest_price(
    storage, prepared, scored, held_out
):
    layout = RegressionLayout(run_prefix("main"))
    train = read_csv(storage, layout.train_file_uri)[0]
    validation = read_csv(storage, layout.validation_file_uri)[0]
    baseline = root_mean_squared_error(validation, np.full(len(validation), train.mean()))

    scores = json.loads(storage.read_bytes(scored["scores_uri"]))

    assert prepared["baseline_validation_rmse"] == pytest.approx(baseline, rel=1e-12)
    assert scores["baseline_validation_rmse"] == pytest.approx(baseline, rel=1e-12)
    assert scores["largest_price"] == {
        "train": train.max(),
        "validation": validation.max(),
        "test": held_out["UnitPrice"].max(),
    }
    # The sample's validation lines hold its dearest line (the reviewer's £1,270.06).
    assert scores["largest_price"]["validation"] == pytest.approx(1270.06)


def test_errors_by_stock_code_cover_every_line_largest_share_first(storage, scored, held_out):
    table = pd.read_csv(io.BytesIO(storage.read_bytes(RegressionLayout(run_prefix("main")).stock_codes_uri)))
    assert table["Lines"].sum() == len(held_out)
    assert table["StockCode"].astype(str).is_unique
    assert table["SquaredErrorShare"].sum() == pytest.approx(1.0)
    assert table["SquaredErrorShare"].is_monotonic_decreasing
    assert [entry["stock_code"] for entry in scored["largest_errors"]] == table["StockCode"].astype(str).head(
        5
    ).tolist()


def test_the_listed_stock_codes_carry_the_share_of_squared_error_they_are_ordered_by(storage, scored):
    # Ordered by share, the list looks unsorted by RMSE unless the share is in it.
    table = pd.read_csv(
        io.BytesIO(storage.read_bytes(RegressionLayout(run_prefix("main")).stock_codes_uri)),
        dtype={"StockCode": str},
    )
    listed = scored["largest_errors"]
    shares = [entry["squared_error_share"] for entry in listed]
    assert shares == [round(share, 4) for share in table["SquaredErrorShare"].head(5)]
    assert shares == sorted(shares, reverse=True) and shares[0] > 0
    assert [entry["rmse"] for entry in listed] != sorted((entry["rmse"] for entry in listed), reverse=True)
    assert json.loads(storage.read_bytes(scored["scores_uri"]))["largest_errors"] == listed
    payload = json.dumps(scored, separators=(",", ":")).encode("utf-8")
    assert len(payload) < 4096  # Step Functions refuses a task result over 256 KiB


def test_a_stock_codes_rmse_and_mae_are_those_of_its_own_lines():
    lines = pd.DataFrame(
        {
            "StockCode": ["A", "A", "B"],
            "Description": ["a", "a", "b"],
            "UnitPrice": [1.0, 3.0, 10.0],
            "Predicted": [2.0, 2.0, 10.5],
        }
    )
    lines["Error"] = lines["Predicted"] - lines["UnitPrice"]

    table = errors_by_stock_code(lines).set_index("StockCode")

    assert table.loc["A", "RMSE"] == pytest.approx(1.0)
    assert table.loc["B", "MAE"] == pytest.approx(0.5)
    assert table.loc["A", "SquaredErrorShare"] == pytest.approx(2.0 / 2.25)
    assert table.index.tolist() == ["A", "B"]


def test_scoring_refuses_predictions_that_do_not_line_up_with_the_test_lines(storage, prepared, predicted):
    layout = RegressionLayout(run_prefix("short"))
    storage.write_bytes(layout.transform_output_file_uri, b"1.5\n2.5\n")
    event = score_event("short", TestRowsUri=prepared["test_rows_uri"])
    with pytest.raises(DataError, match=rf"predicted 2 prices for {len(predicted):,} test lines"):
        score(event, storage)


def test_scoring_says_when_the_transform_wrote_nothing(storage):
    with pytest.raises(DataError, match="wrote no output"):
        score(score_event("empty"), storage)


def test_scoring_names_a_line_that_is_not_a_number(storage, prepared):
    layout = RegressionLayout(run_prefix("garbled"))
    storage.write_bytes(layout.transform_output_file_uri, b'1.5\n{"oops": 1}\n')
    with pytest.raises(DataError, match=r"Line 2 of .*features\.csv\.out is not a predicted price"):
        score(score_event("garbled", TestRowsUri=prepared["test_rows_uri"]), storage)
