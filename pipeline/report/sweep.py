"""The k sweep's part of a clustering report: how k was chosen, from the run's own ``sweep.json``.

The curve is the Clusters page's figure (``pipeline.views.sweep_charts.sweep_curve``), so the
report and the page show the same numbers; the rule is said in words, the sentence names the
chosen k and the rule that decided it, and a table gives every k's scores (or why it failed).
"""

from __future__ import annotations

from typing import Any

from pipeline.report.page import Section, paragraph, table
from pipeline.views import sweep_charts
from pipeline.views.wording import WCSS_LABEL

#: What each rule means, in the words a stakeholder reads (k_choice.choose is the definition).
RULE_EXPLANATIONS = {
    "silhouette": (
        "The highest silhouette: the k whose clusters are best separated (a silhouette near 1 means "
        "customers sit well inside their own cluster); on a tie, the smaller k."
    ),
    "elbow": (
        "The elbow of the within-cluster sum of squares: adding clusters always lowers it, and the elbow "
        "is the k after which it falls much more slowly (the point farthest below the straight line "
        "from the first to the last k, both scaled to 0-1)."
    ),
}


def sweep_section(sweep: dict[str, Any]) -> Section:
    """ "How k was chosen": the rule in words, the chosen k, the curve and one row a k."""
    section = Section("How k was chosen")
    low, high = (sweep.get("k_range") or ["?", "?"])[:2]
    rule, applied = str(sweep.get("rule", "")), str(sweep.get("applied", ""))
    section.add(
        paragraph(
            f"The workflow trained and scored one KMeans model for each k from {low} to {high} "
            "(a Map state of SageMaker training jobs) and kept the k its rule chose."
        ),
        paragraph(f"Rule: {RULE_EXPLANATIONS.get(rule, rule)}"),
        paragraph(sweep_charts.rule_note(sweep), "pass"),
    )
    if applied != rule:
        section.add(paragraph(f"Rule that decided: {RULE_EXPLANATIONS.get(applied, applied)}", "note"))
    section.add_figure(sweep_charts.sweep_curve(sweep))
    rows = sweep_charts.sweep_table(sweep)
    rows["Chosen"] = rows["Chosen"].map({True: "chosen", False: ""})
    section.add(
        table(
            rows,
            {
                "k": str,
                "Silhouette": lambda v: f"{v:.4f}",
                WCSS_LABEL: lambda v: f"{v:,.1f}",
                "Clusters found": lambda v: f"{int(v)}",
            },
        )
    )
    return section
