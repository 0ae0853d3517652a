"""The Home page's logic: its text, the backend's health as lines to show, the next steps.

Home is the first page a browser draws, and every element costs the browser a render of its
own (benchmarks/README.md, "Round 5: the first page"), so the fixed text is one Markdown block
and each health check is one line.
"""

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


def intro_markdown() -> str:
    """What the app does and its workflows, as one Markdown block (the workflows under a
    "Workflows" heading of the same size as ``st.subheader``)."""
    listed = "\n".join(f"- **{title}**: {purpose}" for title, purpose in workflows())
    return f"{INTRO}\n\n### Workflows\n\n{listed}"


def check_line(name: str, ok: bool, message: str) -> str:
    """A health check as one line: a passed or failed icon, its name in bold, what it found
    (name and message as plain text: they can quote settings and errors)."""
    icon = ":material/check_circle:" if ok else ":material/error:"
    return f"{icon} **{plain(name)}**: {plain(message)}"


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
