"""The workflow graph as Graphviz DOT, coloured by step status like the Step Functions console.

The SDK's own ``render_graph``/``render_progress`` load JavaScript from a CDN through RequireJS
and do not work inside Streamlit; Streamlit's ``st.graphviz_chart`` renders DOT with the
renderer it bundles, so the app draws the graph from the ASL definition itself.

The status words and colours here are what every drawing of the graph uses. No page draws the
DOT any more: a Graphviz chart shrinks to a thumbnail in a narrow container (Launch's had ~4 px
labels), so Launch and Executions both draw ``graph_figure`` (plotly, laid out by
``graph_layout``); ``workflow_dot`` and ``legend_dot`` are unused by the app now (kept with their
tests; removing them is left to a later round).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Step statuses, in the words the watch page uses.
SUCCEEDED = "succeeded"
FAILED = "failed"
IN_PROGRESS = "in progress"
CAUGHT_ERROR = "caught error"
CANCELLED = "cancelled"
NOT_REACHED = "not reached"

#: Fill and border colours of the Step Functions console for each status.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    SUCCEEDED: ("#d4edda", "#2e7d32"),
    FAILED: ("#f8d7da", "#c62828"),
    IN_PROGRESS: ("#d6e9fb", "#1565c0"),
    CAUGHT_ERROR: ("#ffe5cc", "#ef6c00"),
    CANCELLED: ("#e0e0e0", "#616161"),
    NOT_REACHED: ("#ffffff", "#9e9e9e"),
}

_TERMINAL_SHAPE = {"Succeed": "oval", "Fail": "oval", "Choice": "diamond"}


def _quote(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, newlines as DOT's centred ``\\n``.

    Non-ASCII characters stay as they are (DOT reads UTF-8; ``\\uXXXX`` would show literally).
    """
    return json.dumps(str(text), ensure_ascii=False)


def _node_id(prefix: str, name: str) -> str:
    return _quote(f"{prefix}{name}")


def _choice_label(rule: Mapping[str, Any]) -> str:
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
            return f" {combinator.lower()} ".join(_choice_label(r) for r in rule[combinator])
    if "Not" in rule:
        return f"not ({_choice_label(rule['Not'])})"
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


def _emit_states(
    states: Mapping[str, Any],
    start_at: str,
    statuses: Mapping[str, str],
    prefix: str,
    lines: list[str],
    indent: str,
) -> None:
    """Nodes and edges of one level of states (branches of Parallel/Map become clusters)."""
    for name, state in states.items():
        state_type = state.get("Type", "")
        fill, border = STATUS_COLOURS[statuses.get(name, NOT_REACHED)]
        shape = _TERMINAL_SHAPE.get(state_type, "box")
        label = _quote(f"{name}\n{state_type}")
        lines.append(
            f'{indent}{_node_id(prefix, name)} [label={label}, shape={shape}, style="rounded,filled", '
            f'fillcolor="{fill}", color="{border}", penwidth=2];'
        )
        for index, branch in enumerate(_branches(state)):
            branch_prefix = f"{prefix}{name}/{index}/"
            lines.append(f"{indent}subgraph {_quote('cluster_' + branch_prefix)} {{")
            lines.append(f'{indent}  style="dashed"; color="#9e9e9e"; label={_quote(name)};')
            _emit_states(branch["States"], branch["StartAt"], statuses, branch_prefix, lines, indent + "  ")
            lines.append(f"{indent}}}")
            first = _node_id(branch_prefix, branch["StartAt"])
            lines.append(f"{indent}{_node_id(prefix, name)} -> {first} [style=dotted, arrowhead=none];")
        for target, label, style in _transitions(state):
            attributes = [f"label={_quote(label)}"] if label else []
            if style:
                attributes.append(f"style={style}")
            if style == "dashed":
                attributes.append('color="#ef6c00"')
            joined = f" [{', '.join(attributes)}]" if attributes else ""
            lines.append(f"{indent}{_node_id(prefix, name)} -> {_node_id(prefix, target)}{joined};")
        if prefix == "" and (state.get("End") or state_type in {"Succeed", "Fail"}):
            lines.append(f"{indent}{_node_id(prefix, name)} -> {_quote(prefix + '__end__')};")
    if prefix == "":
        lines.append(f"{indent}{_quote('__start__')} -> {_node_id(prefix, start_at)};")


def _branches(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if state.get("Type") == "Parallel":
        return list(state.get("Branches", []))
    if state.get("Type") == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        return [processor] if processor else []
    return []


def _transitions(state: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(target, label, style) for every way out of a state: Next, Choices, Default, Catch."""
    out: list[tuple[str, str, str]] = []
    if state.get("Next"):
        out.append((state["Next"], "", ""))
    for rule in state.get("Choices", []):
        out.append((rule["Next"], _choice_label(rule), ""))
    if state.get("Default"):
        out.append((state["Default"], "default", ""))
    for catcher in state.get("Catch", []):
        out.append((catcher["Next"], "catch " + ", ".join(catcher.get("ErrorEquals", [])), "dashed"))
    return out


def workflow_dot(definition: Mapping[str, Any], statuses: Mapping[str, str] | None = None) -> str:
    """Graphviz DOT for an ASL definition; ``statuses`` maps state names to a status above.

    States missing from ``statuses`` are drawn as not reached. Branch states of Parallel and
    Map are drawn inside a dashed cluster under their parent; a branch's last state simply
    ends there (the parent's own arrow carries on).
    """
    statuses = statuses or {}
    lines = [
        "digraph workflow {",
        '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.4, ranksep=0.45];',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#616161"];',
        f'  {_quote("__start__")} [label="Start", shape=circle, style=filled, fillcolor="#eeeeee"];',
        f'  {_quote("__end__")} [label="End", shape=doublecircle, style=filled, fillcolor="#eeeeee"];',
    ]
    _emit_states(definition["States"], definition["StartAt"], statuses, "", lines, "  ")
    lines.append("}")
    return "\n".join(lines)


#: The legend's order: how far a step got.
LEGEND_ORDER = (IN_PROGRESS, SUCCEEDED, FAILED, CAUGHT_ERROR, CANCELLED, NOT_REACHED)


def legend_dot() -> str:
    """A one-row Graphviz legend of the step colours, drawn beside the workflow graph."""
    lines = [
        "digraph legend {",
        "  graph [rankdir=LR, nodesep=0.15, margin=0];",
        '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", penwidth=2];',
    ]
    for status in LEGEND_ORDER:
        fill, border = STATUS_COLOURS[status]
        lines.append(
            f'  {_quote(status)} [label={_quote(status.capitalize())}, fillcolor="{fill}", color="{border}"];'
        )
    lines.append("  " + " -> ".join(_quote(s) for s in LEGEND_ORDER) + " [style=invis];")
    lines.append("}")
    return "\n".join(lines)
