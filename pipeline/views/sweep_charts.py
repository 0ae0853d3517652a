"""The k sweep's curve and table, from a run's own ``sweep.json`` (what "Pick k" recorded).

Silhouette (left axis, higher is better) and the within-cluster sum of squares (right axis, the
elbow curve) against k, the chosen k marked, and the ks that failed shown where they would be,
so the chart answers "why this k?" with the numbers the run itself decided on.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pipeline.views.style import top_margin  # and the charts' template
from pipeline.views.text import plain_text
from pipeline.views.wording import WCSS_LABEL

SILHOUETTE_COLOUR = "#1f77b4"
WCSS_COLOUR = "#ff7f0e"
CHOSEN_COLOUR = "#2ca02c"
FAILED_COLOUR = "#d62728"
RULE_LABELS = {"silhouette": "highest silhouette", "elbow": "elbow of the sum of squares"}


def sweep_table(sweep: dict[str, Any]) -> pd.DataFrame:
    """One row a k: status, silhouette, within-cluster sum of squares, clusters found, whether it
    was chosen, why it failed."""
    chosen = sweep.get("chosen_k")
    rows = [
        {
            "k": int(candidate["k"]),
            "Status": str(candidate.get("status", "")),
            "Silhouette": candidate.get("silhouette"),
            WCSS_LABEL: candidate.get("wcss"),
            "Clusters found": candidate.get("clusters_found"),
            "Chosen": int(candidate["k"]) == chosen,
            "Reason": str(candidate.get("reason") or ""),
        }
        for candidate in sweep.get("candidates", [])
    ]
    table = pd.DataFrame(
        rows, columns=["k", "Status", "Silhouette", WCSS_LABEL, "Clusters found", "Chosen", "Reason"]
    )
    return table.astype({"Silhouette": "float64", WCSS_LABEL: "float64"})


def rule_note(sweep: dict[str, Any]) -> str:
    """One sentence: which rule chose which k (and when another rule had to decide, why)."""
    rule, applied = sweep.get("rule", ""), sweep.get("applied", "")
    sentence = f"k = {sweep.get('chosen_k')} chosen by the {RULE_LABELS.get(applied, applied)}"
    if applied != rule:
        sentence += f" (asked for the {RULE_LABELS.get(rule, rule)}: {sweep.get('note', '')})"
    failed = sweep.get("failed_ks") or []
    if failed:
        sentence += f"; k = {', '.join(str(k) for k in failed)} failed and took no part"
    return sentence + "."


def sweep_curve(sweep: dict[str, Any]) -> go.Figure:
    """Silhouette and WCSS against k on two axes, the chosen k marked, failed ks shown as such."""
    table = sweep_table(sweep)
    done = table[table["Status"] == "SUCCEEDED"]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(
            x=done["k"].tolist(),
            y=done["Silhouette"].tolist(),
            name="Silhouette",
            mode="lines+markers",
            line={"color": SILHOUETTE_COLOUR},
            hovertemplate="k = %{x}<br>silhouette %{y:.4f}<extra></extra>",
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=done["k"].tolist(),
            y=done[WCSS_LABEL].tolist(),
            name=WCSS_LABEL,
            mode="lines+markers",
            line={"color": WCSS_COLOUR, "dash": "dot"},
            hovertemplate="k = %{x}<br>within-cluster sum of squares %{y:,.1f}<extra></extra>",
        ),
        secondary_y=True,
    )
    chosen = done[done["Chosen"]]
    if not chosen.empty:
        figure.add_trace(
            go.Scatter(
                x=chosen["k"].tolist(),
                y=chosen["Silhouette"].tolist(),
                name=f"Chosen k = {int(chosen['k'].iloc[0])}",
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": CHOSEN_COLOUR},
                hovertemplate="chosen k = %{x}<extra></extra>",
            ),
            secondary_y=False,
        )
        figure.add_vline(x=int(chosen["k"].iloc[0]), line={"color": CHOSEN_COLOUR, "dash": "dash"})
    failed = table[table["Status"] != "SUCCEEDED"]
    if not failed.empty:
        figure.add_trace(
            go.Scatter(
                x=failed["k"].tolist(),
                y=[0.0] * len(failed),
                name="Failed k",
                mode="markers",
                marker={"symbol": "x", "size": 12, "color": FAILED_COLOUR},
                text=[plain_text(reason) for reason in failed["Reason"]],
                hovertemplate="k = %{x} failed<br>%{text}<extra></extra>",
            ),
            secondary_y=False,
        )
    low, high = (sweep.get("k_range") or [table["k"].min(), table["k"].max()])[:2]
    figure.update_layout(
        title=f"k sweep {low}-{high}: {plain_text(rule_note(sweep))}",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": top_margin()},
    )
    figure.update_xaxes(title_text="k (clusters)", dtick=1)
    figure.update_yaxes(title_text="Silhouette (higher is better)", secondary_y=False)
    figure.update_yaxes(title_text=WCSS_LABEL, secondary_y=True)
    return figure
