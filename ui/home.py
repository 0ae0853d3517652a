"""The Home page's logic: the backend's health as lines to show, and the session's next steps."""

from __future__ import annotations

from pipeline.workflows.registry import WORKFLOWS
from ui.names import Page
from ui.state import ActiveDataset
from ui.text import plain

INTRO = (
    "1. **Load** retail transactions: the UCI Online Retail data by upload, URL, S3 "
    "or the bundled sample.\n"
    "2. **Preview** RFM (recency, frequency, monetary) segments of your customers.\n"
    "3. **Launch** an ML workflow built with the AWS Step Functions Data Science SDK, run locally "
    "or on AWS, watch it step by step, and explore its results."
)


def workflows() -> list[tuple[str, str]]:
    """Every workflow of the registry as (title, one-line purpose), in the Launch page's order."""
    return [(spec.title, spec.purpose) for spec in WORKFLOWS]


def check_line(name: str, ok: bool) -> str:
    """A health check's headline: a passed or failed icon and its name in bold (as plain text)."""
    icon = ":material/check_circle:" if ok else ":material/error:"
    return f"{icon} **{plain(name)}**"


def next_steps(active: ActiveDataset | None) -> list[tuple[str, str, str]]:
    """Where to go from Home, as (page, label, icon): load data first, then segments, launch, watch."""
    if active is None:
        return [(Page.DATA, "Load a dataset on the Data page", ":material/upload_file:")]
    return [
        (Page.SEGMENTS, "See the RFM segments", ":material/donut_small:"),
        (Page.LAUNCH, "Launch a workflow", ":material/rocket_launch:"),
        (Page.EXECUTIONS, "Watch the executions", ":material/monitoring:"),
        (Page.CLUSTERS, "Explore the clusters of a clustering run", ":material/scatter_plot:"),
        (Page.PRICES, "See the predictions of a price-regression run", ":material/price_check:"),
    ]
