"""Compare the clusters of two finished runs: which customers moved where, and how much agrees.

Two runs may differ in k, in the customers they scored (a country filter, another dataset or
as-of date) and in the names their clusters got. The comparison therefore works on the
customers present in both runs only, and reports how many that is; it gives the crosstab of
cluster A -> cluster B (by cluster name, which is what the analyst reads), the share of shared
customers whose cluster name stayed the same, and the adjusted Rand index, which measures
agreement of the two partitions whatever the clusters are called (1 identical, ~0 chance).
Pure pandas and scikit-learn: no Streamlit, so the tests check it on real runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sklearn.metrics import adjusted_rand_score

_NEEDED = ("CustomerID", "Cluster", "ClusterName")

#: Fewest shared customers a comparison is drawn for: the adjusted Rand index of a handful of
#: customers swings between extremes on one customer's move (3 shared customers gave -0.50), and
#: a movement chart of them says nothing about the runs' clusters.
MIN_SHARED_CUSTOMERS = 10
#: Smallest share of the smaller run's customers that must be in both runs. A country filter or a
#: later as-of date keeps (nearly) all of the smaller run's customers, so it passes; two runs on
#: mostly different customers do not: their moves would describe fewer customers than they leave out.
MIN_SHARED_SHARE = 0.5


@dataclass(frozen=True)
class RunComparison:
    """How the customers of run A were clustered in run B.

    ``moves`` has one row a cluster name of run A and one column a cluster name of run B
    (both in cluster order) holding the number of shared customers in that pair; it sums to
    ``shared``. ``same_name_share`` is the share of shared customers whose cluster name is the
    same in both runs; ``agreement`` the adjusted Rand index of the two assignments.
    """

    shared: int
    only_a: int
    only_b: int
    moves: pd.DataFrame
    same_name: int
    agreement: float

    @property
    def comparable(self) -> bool:
        """Whether enough customers are in both runs for the agreement and the moves to mean
        something: at least ``MIN_SHARED_CUSTOMERS``, and at least ``MIN_SHARED_SHARE`` of the
        smaller run's customers."""
        smaller = min(self.shared + self.only_a, self.shared + self.only_b)
        return self.shared >= MIN_SHARED_CUSTOMERS and self.shared >= MIN_SHARED_SHARE * smaller

    @property
    def same_name_share(self) -> float:
        """Share of the shared customers whose cluster name did not change (0 when none shared)."""
        return self.same_name / self.shared if self.shared else 0.0

    def moves_long(self) -> pd.DataFrame:
        """The non-empty cells of ``moves`` as rows (From, To, Customers, ShareOfFrom), largest first."""
        long = self.moves.stack().rename("Customers").reset_index()
        long.columns = ["From", "To", "Customers"]
        long = long[long["Customers"] > 0].copy()
        totals = long.groupby("From")["Customers"].transform("sum")
        long["ShareOfFrom"] = long["Customers"] / totals
        return long.sort_values(["Customers", "From", "To"], ascending=[False, True, True]).reset_index(
            drop=True
        )


def _names_in_cluster_order(clusters: pd.DataFrame) -> list[str]:
    order = clusters[["Cluster", "ClusterName"]].drop_duplicates().sort_values("Cluster")
    return [str(name) for name in order["ClusterName"]]


def _check(frame: pd.DataFrame, which: str) -> None:
    missing = [column for column in _NEEDED if column not in frame.columns]
    if missing:
        raise ValueError(f"run {which}'s clusters table lacks {', '.join(missing)}")


def compare_runs(clusters_a: pd.DataFrame, clusters_b: pd.DataFrame) -> RunComparison:
    """Compare two runs' clusters tables (``RunResults.clusters``: one row a customer).

    Customers are matched on CustomerID; those in one run only are counted, not compared.
    Every cluster of either run appears in ``moves`` (a row or column of zeros when none of
    its customers is shared), so the heatmap always shows both runs' full set of clusters.
    """
    _check(clusters_a, "A")
    _check(clusters_b, "B")
    a = clusters_a[list(_NEEDED)]
    b = clusters_b[list(_NEEDED)]
    both = a.merge(b, on="CustomerID", how="inner", suffixes=("A", "B"), validate="one_to_one")
    names_a = _names_in_cluster_order(clusters_a)
    names_b = _names_in_cluster_order(clusters_b)
    moves = pd.crosstab(both["ClusterNameA"].astype("object"), both["ClusterNameB"].astype("object")).reindex(
        index=names_a, columns=names_b, fill_value=0
    )
    moves.index.name = "Run A"
    moves.columns.name = "Run B"
    moves = moves.astype("int64")
    same = int((both["ClusterNameA"] == both["ClusterNameB"]).sum())
    agreement = float(adjusted_rand_score(both["ClusterA"], both["ClusterB"])) if len(both) else 0.0
    return RunComparison(
        shared=len(both),
        only_a=len(a) - len(both),
        only_b=len(b) - len(both),
        moves=moves,
        same_name=same,
        agreement=agreement,
    )


def different_data(key_a: str | None, name_a: str, key_b: str | None, name_b: str) -> bool:
    """Whether two runs were made on different datasets.

    ``key_*`` is the content hash a run's input records (``pipeline.backends.datasets.data_key``
    of its DataUri), ``name_*`` its dataset name. The hashes decide when both runs have one: the
    same file loaded under two names is the same data, two versions of one file are not. Without
    both, the names decide; two runs without either cannot be told apart and count as the same.
    """
    if key_a and key_b:
        return key_a != key_b
    return bool(name_a and name_b) and name_a != name_b


def sizes_side_by_side(summary_a: dict[str, Any], summary_b: dict[str, Any]) -> pd.DataFrame:
    """Customer and revenue share of every cluster name in either run, one row a (run, name).

    Columns Run ("A"/"B"), Name, Customers, CustomerShare, RevenueShare: the long shape the
    comparison bar chart and table read. A name one run lacks simply has no row for that run.
    """
    rows = []
    for run, summary in (("A", summary_a), ("B", summary_b)):
        for cluster in summary.get("clusters", []):
            rows.append(
                {
                    "Run": run,
                    "Name": str(cluster["Name"]),
                    "Customers": int(cluster["Customers"]),
                    "CustomerShare": float(cluster["CustomerShare"]),
                    "RevenueShare": float(cluster["RevenueShare"]),
                }
            )
    return pd.DataFrame(rows, columns=["Run", "Name", "Customers", "CustomerShare", "RevenueShare"])
