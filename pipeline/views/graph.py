"""The workflow graph's vocabulary: step statuses, their colours, and Choice rule labels.

The SDK's own ``render_graph``/``render_progress`` load JavaScript from a CDN through RequireJS
and do not work inside Streamlit, so the app draws the graph from the ASL definition itself:
``graph_layout`` places the states and ``graph_svg`` draws them (Launch's preview, Executions'
live graph and the HTML report). The status words and colours here are what every one of those
drawings uses, so a state reads the same on each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

#: Step statuses, in the words the watch page uses.
SUCCEEDED = "succeeded"
FAILED = "failed"
IN_PROGRESS = "in progress"
CAUGHT_ERROR = "caught error"
#: A step stopped by a Stop (or ended open when the execution ended): "aborted", Step Functions' own
#: word for a stopped execution (its status ABORTED), so the legend, the step details, the timeline
#: and the Map section say what the status says (the legend once said "Cancelled").
ABORTED = "aborted"
NOT_REACHED = "not reached"

#: Fill and border colours of the Step Functions console for each status.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    SUCCEEDED: ("#d4edda", "#2e7d32"),
    FAILED: ("#f8d7da", "#c62828"),
    IN_PROGRESS: ("#d6e9fb", "#1565c0"),
    CAUGHT_ERROR: ("#ffe5cc", "#ef6c00"),
    ABORTED: ("#e0e0e0", "#616161"),
    NOT_REACHED: ("#ffffff", "#9e9e9e"),
}
#: A mark for each status that a state reached, on the app's boxes and in its legend: the colour
#: alone told how a state ended (WCAG 1.4.1), and the app's narrow boxes have no room for words.
STATUS_MARKS: dict[str, str] = {
    SUCCEEDED: "✓",
    FAILED: "✕",
    IN_PROGRESS: "▸",
    CAUGHT_ERROR: "!",
    ABORTED: "■",
}
#: The dashed frame round a Map's or Parallel's branch.
FRAME_COLOUR = "#9e9e9e"

_PATH = re.compile(r"\$(?:\.[A-Za-z_][\w]*|\[[^\]]*\])+")


def short_label(label: str) -> str:
    """A Choice rule's label with each JSONPath cut to its last field (``silhouette >= QualityThreshold``)."""
    return _PATH.sub(lambda match: re.split(r"[.\[]", match.group(0))[-1].strip("]'\""), label)


def choice_label(rule: Mapping[str, Any]) -> str:
    """A short human label for a Choice rule, e.g. ``$.quality >= $.threshold``."""
    symbols = {
        "Equals": "==",
        "LessThan": "<",
        "GreaterThan": ">",
        "LessThanEquals": "<=",
        "GreaterThanEquals": ">=",
    }
    for combinator in ("And", "Or"):
        if combinator in rule:
            return f" {combinator.lower()} ".join(choice_label(r) for r in rule[combinator])
    if "Not" in rule:
        return f"not ({choice_label(rule['Not'])})"
    variable = rule.get("Variable", "")
    for key, value in rule.items():
        if key in {"Variable", "Next"}:
            continue
        for suffix, symbol in symbols.items():
            for family in ("Numeric", "String", "Timestamp", "Boolean"):
                if key == f"{family}{suffix}":
                    return f"{variable} {symbol} {json.dumps(value)}"
                if key == f"{family}{suffix}Path":
                    return f"{variable} {symbol} {value}"
        return f"{variable} {key} {json.dumps(value)}"
    return variable


#: The legend's order: how far a step got.
LEGEND_ORDER = (IN_PROGRESS, SUCCEEDED, FAILED, CAUGHT_ERROR, ABORTED, NOT_REACHED)
