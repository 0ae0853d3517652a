"""Text alternatives for the app's charts: what ``st.plotly_chart(alt=...)`` gives screen readers.

Without one, a chart's accessible name was the text of its SVG, read in document order: tick
labels ("2 3 4 5 6 ... 0.28 0.3 ... 1820 2360"), and nothing for the 3-D scatter. Each chart now
says what it shows: its title and subtitle. (The workflow graph is SVG whose states are buttons
named with their status: ``graph_svg``.)
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_TAG = re.compile(r"<[^>]+>")


def plain(markup: str) -> str:
    """Plotly's HTML-like text (``<b>``, ``<br>``, entities) as one plain line."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def chart_alt(figure: Any) -> str | None:
    """The text alternative of a Plotly figure (or its dict): its title and subtitle; None for a
    figure with neither (a caller then passes its own)."""
    spec = figure if isinstance(figure, Mapping) else figure.to_plotly_json()
    title = (spec.get("layout") or {}).get("title") or {}
    if isinstance(title, str):
        title = {"text": title}
    parts = [plain(str(title.get("text") or "")), plain(str((title.get("subtitle") or {}).get("text") or ""))]
    text = ". ".join(part for part in parts if part)
    return text or None
