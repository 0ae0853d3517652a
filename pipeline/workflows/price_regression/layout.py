"""Where one price-regression run keeps its files, under its run prefix ``s3://BUCKET/PREFIX/runs/<run>``.

The one description of the run's files: the three Lambdas write and read them, the SDK build
routes the URIs the prepare step returns to the SageMaker steps, and the results reader reads
them back, on both backends. Light on purpose: the Lambdas import it (and their deployment zips
carry it), so it imports nothing beyond the standard library.

Prepare: ``train/train.csv`` and ``validation/validation.csv`` (headerless, UnitPrice first,
then the features), ``test/features.csv`` (headerless, the features only), ``test_rows.parquet``
(the held-out lines in the same order: their UnitPrice, StockCode, Description...),
``features.json`` (feature names, split sizes and seed), ``report.json`` (cleaning report).
Training: ``model/<job>/output/model.tar.gz`` (``xgboost-model`` inside). Transform:
``predictions/features.csv.out`` (one predicted UnitPrice a line). Score: ``predictions.csv``
(one row a test line: actual, predicted, error), ``stock_codes.csv`` (errors by StockCode) and
``scores.json`` (the headline figures).
"""

from __future__ import annotations

from dataclasses import dataclass

PREDICTIONS_FILE = "predictions.csv"
STOCK_CODES_FILE = "stock_codes.csv"
SCORES_FILE = "scores.json"
#: The transform writes ``<input object name>.out`` for each input object.
TEST_FEATURES_FILE = "features.csv"


@dataclass(frozen=True)
class RegressionLayout:
    """The URIs of one run's files, from its run prefix."""

    run_prefix: str

    def _at(self, key: str) -> str:
        return f"{self.run_prefix.rstrip('/')}/{key}"

    @property
    def train_uri(self) -> str:
        """The ``train`` channel's prefix: XGBoost reads every object under it."""
        return self._at("train/")

    @property
    def train_file_uri(self) -> str:
        """The training lines: headerless CSV, UnitPrice first (prepare)."""
        return self._at("train/train.csv")

    @property
    def validation_uri(self) -> str:
        """The ``validation`` channel's prefix."""
        return self._at("validation/")

    @property
    def validation_file_uri(self) -> str:
        """The validation lines: headerless CSV, UnitPrice first (prepare)."""
        return self._at("validation/validation.csv")

    @property
    def test_uri(self) -> str:
        """The batch transform's input prefix."""
        return self._at("test/")

    @property
    def test_features_uri(self) -> str:
        """The held-out lines' features, headerless CSV without the label (prepare)."""
        return self._at(f"test/{TEST_FEATURES_FILE}")

    @property
    def test_rows_uri(self) -> str:
        """The held-out lines with their UnitPrice and product, in the test file's order (prepare)."""
        return self._at("test_rows.parquet")

    @property
    def features_uri(self) -> str:
        """Feature names, feature set, split sizes and seed (prepare)."""
        return self._at("features.json")

    @property
    def report_uri(self) -> str:
        """The cleaning report (prepare)."""
        return self._at("report.json")

    @property
    def model_output_uri(self) -> str:
        """Where training writes ``<job>/output/model.tar.gz``."""
        return self._at("model")

    @property
    def transform_output_uri(self) -> str:
        """Where the batch transform writes ``features.csv.out`` (one prediction a line)."""
        return self._at("predictions")

    @property
    def transform_output_file_uri(self) -> str:
        """The batch transform's output for ``test/features.csv``."""
        return self._at(f"predictions/{TEST_FEATURES_FILE}.out")

    @property
    def predictions_uri(self) -> str:
        """One row a held-out line: actual and predicted UnitPrice, error (score)."""
        return self._at(PREDICTIONS_FILE)

    @property
    def stock_codes_uri(self) -> str:
        """Errors by StockCode, largest first (score)."""
        return self._at(STOCK_CODES_FILE)

    @property
    def scores_uri(self) -> str:
        """The run's figures: RMSE of train, validation and test, MAE, R², threshold (score)."""
        return self._at(SCORES_FILE)

    def prepare_uris(self) -> dict[str, str]:
        """The URIs the prepare step returns; the workflow's later states read them by these keys."""
        return {
            "train_uri": self.train_uri,
            "validation_uri": self.validation_uri,
            "test_uri": self.test_uri,
            "test_features_uri": self.test_features_uri,
            "test_rows_uri": self.test_rows_uri,
            "features_uri": self.features_uri,
            "report_uri": self.report_uri,
            "model_output_uri": self.model_output_uri,
            "transform_output_uri": self.transform_output_uri,
        }
