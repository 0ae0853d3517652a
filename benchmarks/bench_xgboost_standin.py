"""The local XGBoost stand-in's training time against calling ``xgboost.train`` directly.

On the full-scale data (``make_full_workbook``: 541,909 rows, cleaned as the studio cleans
them), the price-regression CSVs are derived exactly as the tests derive them
(``tests/support/price_support.py``: StockCode codes, Quantity, CustomerID; UnitPrice label;
70/20/10 seeded split; headerless, label first) and written to the local bucket. Then, in one
process and alternating, ``--repeats`` times each:

- stand-in: ``create_training_job_sync`` with the SDK's TrainingStep request for the built-in
  XGBoost 1.7-1 image (sample hyperparameters): request validation, hyperparameter and channel
  checks, reading both CSV channels from the bucket, ``xgboost.train`` watching train and
  validation, saving ``model.tar.gz``;
- direct: both CSV files read by XGBoost's own CSV parser (``DMatrix("file?format=csv&label_column=0")``,
  what the container uses) and ``xgboost.train`` with the same parameters and watch list.

One untimed run of each comes first (imports, the SDK image table, file cache). The ratio
printed is median(stand-in) / median(direct); target at most 1.2x.

    python -m benchmarks.bench_xgboost_standin
    python -m benchmarks.bench_xgboost_standin --rows 100000 --repeats 3   # quicker
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
import warnings
from functools import cache
from types import ModuleType

from benchmarks.common import REPO_ROOT, machine_note, median_of, use_private_home
from benchmarks.make_full_workbook import FULL_ROWS, full_workbook

BUCKET = "s3://rfm-studio-local/bench-xgboost"


@cache
def price_support() -> ModuleType:
    """tests/support/price_support.py, loaded by path (a site-packages ``tests`` package may shadow
    the repository's folder), so the benchmark reads exactly the tests' data."""
    path = REPO_ROOT / "tests" / "support" / "price_support.py"
    spec = importlib.util.spec_from_file_location("price_support", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def training_request() -> dict:
    """The stepfunctions SDK's Parameters for a built-in XGBoost 1.7-1 TrainingStep on the bucket."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import boto3
        import sagemaker
        from sagemaker import image_uris
        from sagemaker.estimator import Estimator
        from sagemaker.inputs import TrainingInput
        from stepfunctions.steps import TrainingStep

        estimator = Estimator(
            image_uris.retrieve("xgboost", "us-east-1", version="1.7-1"),
            role="arn:aws:iam::000000000000:role/rfm-studio",
            instance_count=1,
            instance_type="ml.m5.xlarge",
            output_path=f"{BUCKET}/model",
            sagemaker_session=sagemaker.Session(boto_session=boto3.Session(region_name="us-east-1")),
        )
        estimator.set_hyperparameters(**price_support().SAMPLE_HYPERPARAMETERS)
        step = TrainingStep(
            "Train XGBoost",
            estimator=estimator,
            data={
                "train": TrainingInput(f"{BUCKET}/train/", content_type="text/csv"),
                "validation": TrainingInput(f"{BUCKET}/validation/", content_type="text/csv"),
            },
            job_name="bench-train",
        )
    return step.to_dict()["Parameters"]


def main(rows: int = FULL_ROWS, repeats: int = 5) -> None:
    use_private_home("rfm-bench-xgboost-")
    import pandas as pd

    from pipeline.loading.dataset import clean_transactions, load_transactions
    from pipeline.local.services.sagemaker_training import create_training_job_sync
    from pipeline.local.services.xgboost_hyperparameters import validate_hyperparameters
    from pipeline.local.services.xgboost_training import load_xgboost
    from pipeline.storage import LocalBucketStorage, default_storage

    print(machine_note("xgboost", "pandas", "numpy"))
    clean, report = clean_transactions(load_transactions(full_workbook(rows)).transactions)
    csvs = price_support().price_csvs(clean)
    storage = default_storage()
    assert isinstance(storage, LocalBucketStorage)
    storage.write_bytes(f"{BUCKET}/train/train.csv", csvs.train)
    storage.write_bytes(f"{BUCKET}/validation/validation.csv", csvs.validation)
    train_file = storage.path_for(f"{BUCKET}/train/train.csv")
    validation_file = storage.path_for(f"{BUCKET}/validation/validation.csv")
    train_rows, validation_rows = csvs.train.count(b"\n"), csvs.validation.count(b"\n")
    print(
        f"rows read: {report.rows_read:,}; clean rows: {report.rows_kept:,}; train rows: {train_rows:,} "
        f"({len(csvs.train) / 1e6:.1f} MB); validation rows: {validation_rows:,}"
    )

    request = training_request()
    xgb = load_xgboost()
    config = validate_hyperparameters(price_support().SAMPLE_HYPERPARAMETERS)
    num_round = config.pop("num_round")

    def stand_in(run: int) -> dict:
        params = json.loads(json.dumps(request))
        params["TrainingJobName"] = f"bench-train-{run}"
        return create_training_job_sync(params)

    def xgboost_parser() -> tuple:
        return (
            xgb.DMatrix(f"{train_file}?format=csv&label_column=0"),
            xgb.DMatrix(f"{validation_file}?format=csv&label_column=0"),
        )

    def pandas_parser() -> tuple:
        tables = [
            pd.read_csv(path, header=None).to_numpy("float32") for path in (train_file, validation_file)
        ]
        return tuple(xgb.DMatrix(table[:, 1:], label=table[:, 0]) for table in tables)

    def direct(read) -> dict:
        dtrain, dval = read()
        history: dict = {}
        xgb.train(
            config,
            dtrain,
            num_round,
            evals=[(dtrain, "train"), (dval, "validation")],
            evals_result=history,
            verbose_eval=False,
        )
        return history

    described, history = stand_in(0), direct(xgboost_parser)  # warm-up, untimed
    direct(pandas_parser)
    times: dict[str, list[float]] = {"stand-in": [], "xgboost parser": [], "pandas": []}
    for run in range(1, repeats + 1):
        for label, call in (
            ("stand-in", lambda run=run: stand_in(run)),
            ("xgboost parser", lambda: direct(xgboost_parser)),
            ("pandas", lambda: direct(pandas_parser)),
        ):
            started = time.perf_counter()
            call()
            times[label].append(time.perf_counter() - started)

    metrics = {m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]}
    print(
        f"validation RMSE: stand-in {metrics['validation:rmse']:.5f}, direct "
        f"{history['validation']['rmse'][-1]:.5f} (XGBoost's CSV parser vs pandas' may round a field "
        "differently)"
    )
    medians = {label: median_of(values) for label, values in times.items()}
    lines = {
        "stand-in": "stand-in create_training_job_sync",
        "xgboost parser": "direct: DMatrix('file?format=csv') + xgboost.train",
        "pandas": "direct: pandas.read_csv + DMatrix + xgboost.train",
    }
    for label, text in lines.items():
        shown = ", ".join(f"{t:.2f}" for t in times[label])
        print(f"{text:<55} median {medians[label]:6.2f} s  ({shown})")
    fastest = min(medians["xgboost parser"], medians["pandas"])
    print(f"  -> stand-in / fastest direct = {medians['stand-in'] / fastest:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="workbook rows (default: full scale)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each (default 5)")
    arguments = parser.parse_args()
    main(arguments.rows, arguments.repeats)
