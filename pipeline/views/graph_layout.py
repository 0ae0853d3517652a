"""Where each state of an ASL definition sits in the drawn workflow graph (pure, no plotting).

There is no Graphviz layout engine on the machine and Streamlit's bundled renderer draws a
fixed-size SVG that shrinks to a thumbnail in a narrow column, so the graph is laid out here
and drawn with plotly (``pipeline.views.graph_figure``), which sizes it to its container and
reports clicks. The layout is the console's: top to bottom in ranks (the longest path of
Next/Choice/Default transitions from StartAt), the outcomes of a Choice side by side, the
states reached only through Catch (the workflow's failure state) in a lane on the right at the
height of the states that lead to them, and the branches of Map and Parallel states in a lane
on the left, a rank below their parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.views.graph import _choice_label

#: Horizontal distance between two states of one rank, in box widths.
SPREAD = 1.2
#: Node ids of the start and end markers (no state name can hold a NUL character).
START_ID = "\0start"
END_ID = "\0end"


@dataclass(frozen=True)
class Node:
    """One drawn state (or the Start/End marker) and its place: x across, y rank down."""

    node_id: str
    name: str
    state_type: str
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    """One transition: ``kind`` is "next", "choice", "default", "catch" or "branch"."""

    source: str
    target: str
    label: str
    kind: str


@dataclass
class GraphLayout:
    """Nodes with positions and the edges between them."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    @property
    def ranks(self) -> int:
        """How many rows the graph takes (its height in ranks)."""
        return int(max((node.y for node in self.nodes), default=0)) + 1

    def node(self, node_id: str) -> Node:
        """The node with ``node_id``."""
        return next(node for node in self.nodes if node.node_id == node_id)


def _flow_edges(prefix: str, name: str, state: Mapping[str, Any]) -> list[Edge]:
    """The ways out of one state, catches included, as edges between node ids."""
    source = prefix + name
    edges = []
    if state.get("Next"):
        edges.append(Edge(source, prefix + state["Next"], "", "next"))
    for rule in state.get("Choices", []):
        edges.append(Edge(source, prefix + rule["Next"], _choice_label(rule), "choice"))
    if state.get("Default"):
        edges.append(Edge(source, prefix + state["Default"], "default", "default"))
    for catcher in state.get("Catch", []):
        errors = ", ".join(catcher.get("ErrorEquals", []))
        edges.append(Edge(source, prefix + catcher["Next"], f"catch {errors}", "catch"))
    return edges


def _branches(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if state.get("Type") == "Parallel":
        return list(state.get("Branches", []))
    if state.get("Type") == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        return [processor] if processor else []
    return []


def _ranks(states: Mapping[str, Any], start_at: str, prefix: str, edges: list[Edge]) -> dict[str, int]:
    """Longest-path rank of every state reached from ``start_at`` without Catch.

    Edges back to a state on the current path (a retry-until loop) are left out, so the ranks
    are those of a DAG and the loop's edge simply points upwards.
    """
    onward: dict[str, list[str]] = {}
    for edge in edges:
        if edge.kind != "catch":
            onward.setdefault(edge.source, []).append(edge.target)
    start = prefix + start_at
    forward: list[tuple[str, str]] = []
    on_path, done = {start}, set()
    stack = [(start, iter(onward.get(start, [])))]
    while stack:
        node, targets = stack[-1]
        target = next(targets, None)
        if target is None:
            stack.pop()
            on_path.discard(node)
            done.add(node)
        elif target not in on_path:
            forward.append((node, target))
            if target not in done:
                on_path.add(target)
                stack.append((target, iter(onward.get(target, []))))
    ranks = {start: 0}
    for _ in range(len(states) + 1):
        changed = False
        for source, target in forward:
            if source in ranks and ranks[source] + 1 > ranks.get(target, -1):
                ranks[target] = ranks[source] + 1
                changed = True
        if not changed:
            break
    return ranks


def _place_level(
    states: Mapping[str, Any],
    start_at: str,
    prefix: str,
    x_offset: float,
    y_offset: float,
    layout: GraphLayout,
    catch_side: int = 1,
) -> tuple[list[str], float]:
    """Place one level of states; returns the ids of its final states and its catch lane's x.

    States only a Catch reaches go in a lane on the right (``catch_side`` 1) or, in a branch
    drawn left of its parent, on the left (-1), so they never land on the parent's level.
    """
    edges = [edge for name, state in states.items() for edge in _flow_edges(prefix, name, state)]
    ranks = _ranks(states, start_at, prefix, edges)
    by_rank: dict[int, list[str]] = {}
    for name in states:
        if prefix + name in ranks:
            by_rank.setdefault(ranks[prefix + name], []).append(prefix + name)
    placed: dict[str, tuple[float, float]] = {}
    for rank, ids in sorted(by_rank.items()):
        for index, node_id in enumerate(ids):
            placed[node_id] = (x_offset + (index - (len(ids) - 1) / 2) * SPREAD, y_offset + rank)
    xs = [x for x, _ in placed.values()] or [x_offset]
    lane = max(xs) + SPREAD if catch_side > 0 else min(xs) - SPREAD
    # States only a Catch reaches: a lane of their own, level with the states that lead to them.
    for name in states:
        node_id = prefix + name
        if node_id in placed:
            continue
        sources = [placed[e.source][1] for e in edges if e.target == node_id and e.source in placed]
        placed[node_id] = (lane, sum(sources) / len(sources) if sources else y_offset)
    # Branches of Map and Parallel: lanes on the left, starting a rank below their parent, so the
    # arrow into a branch runs under the parent's neighbours instead of through them.
    branch_x = min((x for x, _ in placed.values()), default=x_offset) - SPREAD * 1.2
    for name, state in states.items():
        node_id = prefix + name
        x, y = placed[node_id]
        layout.nodes.append(Node(node_id, name, state.get("Type", ""), x, y))
        for index, branch in enumerate(_branches(state)):
            branch_prefix = f"{node_id}/{index}/"
            before = len(layout.nodes)
            _place_level(
                branch["States"], branch["StartAt"], branch_prefix, branch_x, y + 1, layout, catch_side=-1
            )
            layout.edges.append(Edge(node_id, branch_prefix + branch["StartAt"], "", "branch"))
            branch_x = min((n.x for n in layout.nodes[before:]), default=branch_x) - SPREAD
    layout.edges.extend(edges)
    finals = [prefix + n for n, s in states.items() if s.get("End") or s.get("Type") in {"Succeed", "Fail"}]
    return [f for f in finals if f in placed and placed[f][0] != lane], lane


def layout_workflow(definition: Mapping[str, Any]) -> GraphLayout:
    """Positions of every state of ``definition`` (plus Start and End) and the edges between them.

    Node ids are the state names at the top level and ``parent/branch index/name`` inside
    Parallel and Map branches; ``Node.name`` is always the state's own name.
    """
    layout = GraphLayout()
    finals, _ = _place_level(definition["States"], definition["StartAt"], "", 0.0, 1.0, layout)
    layout.nodes.insert(0, Node(START_ID, "Start", "", 0.0, 0.0))
    layout.edges.insert(0, Edge(START_ID, definition["StartAt"], "", "next"))
    bottom = max(node.y for node in layout.nodes) + 1
    layout.nodes.append(Node(END_ID, "End", "", 0.0, bottom))
    layout.edges.extend(Edge(final, END_ID, "", "next") for final in finals)
    return layout
