"""Text alternatives for the app's charts: what ``st.plotly_chart(alt=...)`` gives screen readers.

Without one, a chart's accessible name was the text of its SVG, read in document order: tick
labels ("2 3 4 5 6 ... 0.28 0.3 ... 1820 2360"), or the workflow graph's box labels run
together ("PrepareRFMfeaturesTask Sweep k?Choice ..."), and nothing for the 3-D scatter. Each
chart now says what it shows: its title and subtitle, and for the workflow graph every state
with its status, which the colours alone gave.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

#: The graph's clickable points (``graph_figure``): one a state, its hover "Name (Type): status<br>...".
STATES_TRACE = "states"
_TAG = re.compile(r"<[^>]+>")


def plain(markup: str) -> str:
    """Plotly's HTML-like text (``<b>``, ``<br>``, entities) as one plain line."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def chart_alt(figure: Any) -> str | None:
    """The text alternative of a Plotly figure (or its dict): the workflow graph's states and
    statuses, else the title and subtitle; None for a figure with neither (a caller then passes
    its own)."""
    spec = figure if isinstance(figure, Mapping) else figure.to_plotly_json()
    states = next((trace for trace in spec.get("data", ()) if trace.get("name") == STATES_TRACE), None)
    if states is not None:
        return workflow_alt(states.get("hovertext") or ())
    title = (spec.get("layout") or {}).get("title") or {}
    if isinstance(title, str):
        title = {"text": title}
    parts = [plain(str(title.get("text") or "")), plain(str((title.get("subtitle") or {}).get("text") or ""))]
    text = ". ".join(part for part in parts if part)
    return text or None


def workflow_alt(hovers: Any) -> str:
    """The workflow graph as a sentence: every state in drawing order, with its status once a run
    has one ("Prepare RFM features (Task): succeeded; ...")."""
    states = [plain(str(hover).split("<br>", 1)[0]) for hover in hovers]
    return f"Workflow graph of {len(states)} states: " + "; ".join(states) + "."
