"""The clustering workflow's part of a report: quality gate, clusters in charts and in words.

Each cluster is described in a sentence computed from the run's own customers table
(``clusters.csv``): how many customers, their share, their share of revenue, how often they
bought and how long ago their last purchase was, on average. Names come from the data and are
escaped like everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.errors import WorkflowError
from pipeline.report.common import segments_section
from pipeline.report.page import Section, esc, metrics, paragraph, table
from pipeline.report.run_facts import RunFacts
from pipeline.report.sweep import sweep_section
from pipeline.views.wording import (
    AVG_FREQUENCY_LABEL,
    AVG_MONETARY_LABEL,
    AVG_RECENCY_LABEL,
    REVENUE_LABEL,
    pounds,
)


@dataclass(frozen=True)
class ClusterFacts:
    """What one cluster's sentence says, computed from the customers table."""

    cluster: int
    name: str
    customers: int
    customer_share: float
    revenue_share: float
    mean_frequency: float
    mean_recency: float
    mean_monetary: float


def cluster_facts(clusters: pd.DataFrame) -> list[ClusterFacts]:
    """One :class:`ClusterFacts` a cluster, in cluster order, from the run's customers table."""
    total_customers = len(clusters)
    total_revenue = float(clusters["Monetary"].sum())
    facts = []
    for cluster, rows in clusters.groupby("Cluster", sort=True):
        facts.append(
            ClusterFacts(
                cluster=int(cluster),
                name=str(rows["ClusterName"].iloc[0]),
                customers=len(rows),
                customer_share=len(rows) / total_customers if total_customers else 0.0,
                revenue_share=float(rows["Monetary"].sum()) / total_revenue if total_revenue else 0.0,
                mean_frequency=float(rows["Frequency"].mean()),
                mean_recency=float(rows["Recency"].mean()),
                mean_monetary=float(rows["Monetary"].mean()),
            )
        )
    return facts


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "under 1%"
    return f"{share:.0%}"


def _times(count: float) -> str:
    rounded = round(count, 1)
    if rounded == 1:
        return "once"
    return f"{rounded:,.1f} times"


def _days(days: float) -> str:
    rounded = round(days)
    return "1 day" if rounded == 1 else f"{rounded:,} days"


def describe_cluster(facts: ClusterFacts) -> str:
    """The cluster in one plain sentence, e.g. "621 customers (17%) bring 61% of revenue; on
    average they bought 9.4 times, the last 17 days ago, and spent £590 each"."""
    people = f"{facts.customers:,} customer" + ("" if facts.customers == 1 else "s")
    return (
        f"{people} ({_percent(facts.customer_share)}) bring {_percent(facts.revenue_share)} of revenue; "
        f"on average they bought {_times(facts.mean_frequency)}, the last {_days(facts.mean_recency)} ago, "
        f"and spent {pounds(facts.mean_monetary)} each."
    )


def _gate_section(facts: RunFacts, summary: dict[str, Any] | None) -> Section:
    section = Section("Quality gate")
    threshold = getattr(facts.parameters, "quality_threshold", None)
    silhouette = (summary or {}).get("silhouette")
    if silhouette is None or threshold is None:
        section.add(paragraph("The run did not reach its quality gate (no silhouette was computed).", "note"))
        return section
    passed = float(silhouette) >= float(threshold)
    section.add(
        metrics([("Silhouette", f"{silhouette:.3f}"), ("Threshold", f"{threshold:.2f}")]),
        paragraph(
            "The silhouette score (from -1 to 1) measures how well separated the clusters are; the workflow "
            "accepts the clusters only when it reaches the threshold chosen at launch."
        ),
        paragraph(
            f"Passed: {silhouette:.3f} is at least {threshold:.2f}, so the clusters were accepted."
            if passed
            else f"Not passed: {silhouette:.3f} is below {threshold:.2f}, so the run stopped at its quality "
            "gate and its clusters should not be used.",
            "pass" if passed else "fail",
        ),
    )
    if summary and summary.get("silhouette_sampled"):
        section.add(
            paragraph(
                f"The silhouette was computed on a fixed-seed sample of "
                f"{summary['silhouette_sample_size']:,} customers.",
                "note",
            )
        )
    return section


def _clusters_section(results: Any) -> Section:
    from pipeline.views import cluster_charts

    clusters, summary = results.clusters, results.summary
    section = Section("Clusters")
    section.add(
        metrics(
            [
                ("Clusters", f"{summary.get('clusters_found', summary.get('k'))}"),
                ("Customers", f"{summary['customers']:,}"),
            ]
        )
    )
    for item in cluster_facts(clusters):
        colour = cluster_charts.cluster_color(item.name)
        section.add(
            f'<div class="card cluster-description" style="border-left-color:{esc(colour)}">'
            f"<strong>{esc(item.name)}</strong> (cluster {item.cluster}): {esc(describe_cluster(item))}</div>"
        )
    shown = cluster_charts.sample_customers(clusters)  # its title says when only a sample is drawn
    section.add_figure(cluster_charts.rfm_scatter_3d(shown, total=len(clusters)))
    section.add_figure(cluster_charts.cluster_sizes(summary))
    section.add_figure(cluster_charts.cluster_profiles(summary))
    section.add("<h3>Cluster x RFM segment</h3>")
    section.add_figure(cluster_charts.cluster_segment_heatmap(clusters, False))
    profile = cluster_charts.summary_table(summary)
    readable = pd.DataFrame(
        {
            "Cluster": profile["Cluster"],
            "Name": profile["Name"],
            "Customers": profile["Customers"],
            "Customer share": profile["CustomerShare"],
            REVENUE_LABEL: profile["Revenue"],
            "Revenue share": profile["RevenueShare"],
            AVG_RECENCY_LABEL: profile["MeanRecency"],
            AVG_FREQUENCY_LABEL: profile["MeanFrequency"],
            AVG_MONETARY_LABEL: profile["MeanMonetary"],
        }
    )
    percent = lambda value: f"{value:.1%}"  # noqa: E731
    section.add(
        "<h3>Cluster profiles</h3>",
        table(
            readable,
            {
                "Cluster": str,
                "Customer share": percent,
                REVENUE_LABEL: lambda v: f"{v:,.0f}",
                "Revenue share": percent,
                AVG_RECENCY_LABEL: lambda v: f"{v:,.0f}",
                AVG_FREQUENCY_LABEL: lambda v: f"{v:,.1f}",
                AVG_MONETARY_LABEL: lambda v: f"{v:,.0f}",
            },
        ),
    )
    return section


def _scope(facts: RunFacts) -> str:
    params = facts.parameters
    country = getattr(params, "country", None)
    as_of = getattr(params, "as_of", None)
    where = f"in {country}" if country else "in all countries"
    when = f"Recency as of {as_of}" if as_of else "Recency as of the day after the last invoice"
    return f"{where}, {when}"


def clustering_sections(facts: RunFacts) -> tuple[list[tuple[str, str]], list[Section]]:
    """The headline figures and the sections of a clustering run (segments, gate, clusters)."""
    try:
        results = facts.read_results()
    except WorkflowError as error:
        missing = Section("Clusters")
        missing.add(paragraph(f"No clusters to show: {error}", "note"))
        return [], [*_sweep_only(facts), _gate_section(facts, None), missing]
    summary = results.summary
    headline = [
        ("Silhouette", f"{summary['silhouette']:.3f}"),
        ("Clusters", f"{summary.get('clusters_found', summary.get('k'))}"),
        ("Customers", f"{summary['customers']:,}"),
    ]
    sections = [segments_section(results.clusters, _scope(facts))]
    if results.sweep is not None:
        low, high = (results.sweep.get("k_range") or ["?", "?"])[:2]
        headline.insert(1, ("Chosen k", f"{results.chosen_k} of {low}-{high}"))
        sections.append(sweep_section(results.sweep))
    sections += [_gate_section(facts, summary), _clusters_section(results)]
    return headline, sections


def _sweep_only(facts: RunFacts) -> list[Section]:
    """The sweep's section of a run that swept k but has no clusters (it failed after "Pick k")."""
    from pipeline.workflows.clustering.results import read_sweep

    if not facts.run_prefix:
        return []
    try:
        sweep = read_sweep(facts.run_prefix, facts.storage)
    except WorkflowError:
        return []
    return [sweep_section(sweep)] if sweep is not None else []
