"""Where one clustering run keeps its files, under its run prefix ``s3://BUCKET/PREFIX/runs/<run>``.

The one description of the run's files: the prepare and evaluate Lambdas write them, the
SDK build routes the URIs the prepare step returns to the SageMaker steps, and the results
reader reads them back, on both backends. Light on purpose: both Lambdas import it (and
their deployment zips carry it), so it imports nothing beyond the standard library.

``rfm.parquet``, ``train/features.csv`` (headerless, 3 standardised features), ``ids.csv``,
``report.json`` (prepare); ``model/<job>/output/model.tar.gz`` (training);
``assignments/features.csv.out`` (transform); ``clusters.csv`` and ``summary.json`` (evaluate).
A sweep adds ``model/<run>-k<k>/output/model.tar.gz`` (one training job a k) and ``sweep.json``
(every k's scores, the rule and the chosen k; "Pick k").
"""

from __future__ import annotations

from dataclasses import dataclass

CLUSTERS_FILE = "clusters.csv"
SUMMARY_FILE = "summary.json"
SWEEP_FILE = "sweep.json"


@dataclass(frozen=True)
class RunLayout:
    """The URIs of one run's files, from its run prefix."""

    run_prefix: str

    def _at(self, key: str) -> str:
        return f"{self.run_prefix.rstrip('/')}/{key}"

    @property
    def rfm_uri(self) -> str:
        """The RFM table, one row a customer (prepare)."""
        return self._at("rfm.parquet")

    @property
    def train_uri(self) -> str:
        """The training channel's prefix: KMeans reads every object under it."""
        return self._at("train/")

    @property
    def features_uri(self) -> str:
        """The standardised features, headerless CSV, in the RFM table's row order (prepare)."""
        return self._at("train/features.csv")

    @property
    def ids_uri(self) -> str:
        """CustomerID of each feature row, to join the assignments back (prepare)."""
        return self._at("ids.csv")

    @property
    def report_uri(self) -> str:
        """The cleaning report (prepare)."""
        return self._at("report.json")

    @property
    def model_output_uri(self) -> str:
        """Where training writes ``<job>/output/model.tar.gz``."""
        return self._at("model")

    @property
    def assignments_uri(self) -> str:
        """Where the batch transform writes ``features.csv.out`` (JSON lines)."""
        return self._at("assignments")

    @property
    def clusters_uri(self) -> str:
        """One row a customer with its cluster (evaluate)."""
        return self._at(CLUSTERS_FILE)

    @property
    def summary_uri(self) -> str:
        """The run's quality figures and cluster profiles (evaluate)."""
        return self._at(SUMMARY_FILE)

    @property
    def sweep_uri(self) -> str:
        """A sweep's record: every k's scores, the rule and the chosen k (Pick k)."""
        return self._at(SWEEP_FILE)

    def prepare_uris(self) -> dict[str, str]:
        """The URIs the prepare step returns; the workflow's later states read them by these keys."""
        return {
            "rfm_uri": self.rfm_uri,
            "train_uri": self.train_uri,
            "features_uri": self.features_uri,
            "ids_uri": self.ids_uri,
            "report_uri": self.report_uri,
            "model_output_uri": self.model_output_uri,
            "assignments_uri": self.assignments_uri,
        }
