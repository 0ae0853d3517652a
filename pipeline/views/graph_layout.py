"""Where each state of an ASL definition sits in the drawn workflow graph (pure, no plotting).

There is no Graphviz layout engine on the machine and Streamlit's bundled renderer draws a
fixed-size SVG that shrinks to a thumbnail in a narrow column, so the graph is laid out here
and drawn as SVG (``pipeline.views.graph_svg``) as wide as its container, its text at its size,
its states buttons on Executions. The layout is the console's: top to bottom in ranks (the longest path of
Next/Choice/Default transitions from StartAt), the outcomes of a Choice side by side, the
states reached only through Catch (the workflow's failure state) in a lane on the right at the
height of the states that lead to them, and the branches of Map and Parallel states in a lane
on the left, a rank below their parent, their own Catch-only states under them.

Two things keep it legible at the narrowest width the app draws it (800 px window): a
transition that skips ranks runs down a column of its own (a "dummy" slot, as in Sugiyama
layouts) instead of through the boxes between, and every edge that would still cross a box it
does not connect is routed around it (``routing``); state names are wrapped so each line fits
its box when the whole graph is ``NARROW_WIDTH`` pixels wide.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.views import routing
from pipeline.views.graph import choice_label
from pipeline.views.routing import BOX_HALF_WIDTH, Box, Point

#: Horizontal distance between two slots of one rank, in layout units (a box is 1.1 wide).
SPREAD = 1.2
#: Extra room between the main columns and the failure lane, for edges routed down beside it.
LANE_GAP = 0.25
#: Extra room under a rank holding a Choice, for the labels of its rules (layout units).
CHOICE_GAP = 0.3
#: A branch's frame: its margin round the branch's boxes (wider than the channels routing uses
#: beside a box) and the room at its foot for its caption, in layout units.
FRAME_PAD = 0.2
FRAME_CAPTION = 0.3
#: Node ids of the start and end markers (no state name can hold a NUL character).
START_ID = "\0start"
END_ID = "\0end"
#: Half the height of a box (layout units; a rank is 1) by its lines of text: name, type, notes.
HALF_HEIGHTS = {2: 0.25, 3: 0.34, 4: 0.43}
BOX_HALF_HEIGHT = HALF_HEIGHTS[2]
NOTED_HALF_HEIGHT = HALF_HEIGHTS[3]
#: Half the width and height of the Start and End markers.
MARKER_HALF = (0.16, 0.2)
#: The narrowest plot the graph is drawn in: the main area of an 800 px window less margins.
NARROW_WIDTH = 460
#: Width of a character of a state name (13 px bold) and of a note (11 px), in px, in the app's
#: font (Streamlit's Source Sans: 6.1-6.8 px bold for the workflows' names, 4.4 for notes), with
#: a margin for wider letters.
NAME_CHAR_PX = 7.4
NOTE_CHAR_PX = 5.6
#: The widest a Choice rule's label may be, in characters a line (12 px type).
LABEL_CHARS = 18


@dataclass(frozen=True)
class Node:
    """One drawn state (or the Start/End marker): x across, y rank down, its text lines."""

    node_id: str
    name: str
    state_type: str
    x: float
    y: float
    #: The name wrapped to fit the box at ``NARROW_WIDTH``; the type and any note follow it.
    name_lines: tuple[str, ...] = ()
    note_lines: tuple[str, ...] = ()
    half_height: float = BOX_HALF_HEIGHT


@dataclass(frozen=True)
class Edge:
    """One transition: ``kind`` is "next", "choice", "default", "catch" or "branch".

    ``points`` is the drawn polyline, from the source box's border to the target's.
    """

    source: str
    target: str
    label: str
    kind: str
    points: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Frame:
    """The lane of one branch of a Map or Parallel state: a dashed box around the branch's states,
    captioned at its foot (``label``), so the states read as running inside ``parent``."""

    parent: str
    label: str
    left: float
    right: float
    top: float
    bottom: float


@dataclass
class GraphLayout:
    """Nodes with positions, the edges between them and the frames of Map and Parallel branches."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)

    @property
    def ranks(self) -> float:
        """How many rows the graph takes (its height in ranks, a Choice's wider gap and a frame's
        caption included)."""
        lowest = max((node.y for node in self.nodes), default=0.0)
        return max([lowest, *(frame.bottom - 0.5 for frame in self.frames)]) + 1

    def node(self, node_id: str) -> Node:
        """The node with ``node_id``."""
        return next(node for node in self.nodes if node.node_id == node_id)

    def x_range(self) -> tuple[float, float]:
        """Left and right edges of the drawing, boxes and routed edges included."""
        pad = 0.05
        points = [x for e in self.edges for x, _ in e.points]
        lefts = [n.x - BOX_HALF_WIDTH for n in self.nodes] + [f.left for f in self.frames] + points
        rights = [n.x + BOX_HALF_WIDTH for n in self.nodes] + [f.right for f in self.frames] + points
        return min(lefts) - pad, max(rights) + pad


def _flow_edges(prefix: str, name: str, state: Mapping[str, Any]) -> list[Edge]:
    """The ways out of one state, catches included, as edges between node ids."""
    source = prefix + name
    edges = []
    if state.get("Next"):
        edges.append(Edge(source, prefix + state["Next"], "", "next"))
    for rule in state.get("Choices", []):
        edges.append(Edge(source, prefix + rule["Next"], choice_label(rule), "choice"))
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


def _forward(start: str, edges: list[Edge]) -> list[tuple[str, str]]:
    """The non-Catch edges reached from ``start`` without the ones closing a loop."""
    onward: dict[str, list[str]] = {}
    for edge in edges:
        if edge.kind != "catch":
            onward.setdefault(edge.source, []).append(edge.target)
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
    return forward


def _ranks(forward: list[tuple[str, str]], start: str, count: int) -> dict[str, int]:
    """Longest-path rank of every state reached from ``start`` (loops were cut by ``_forward``,
    so the ranks are those of a DAG and a loop's edge simply points upwards)."""
    ranks = {start: 0}
    for _ in range(count + 1):
        changed = False
        for source, target in forward:
            if source in ranks and ranks[source] + 1 > ranks.get(target, -1):
                ranks[target] = ranks[source] + 1
                changed = True
        if not changed:
            break
    return ranks


def _slots(
    forward: list[tuple[str, str]],
    ranks: dict[str, int],
    order: list[str],
    x_offset: float,
    leftmost: frozenset[str] = frozenset(),
) -> tuple[dict[str, float], dict[tuple[str, str], list[str]]]:
    """x of every ranked id, and the dummy slots of each edge that skips ranks.

    Each rank is ordered by the mean x of what leads into it from the rank above (ties: the
    ``leftmost`` ids first, then definition order) and centred on ``x_offset``; a dummy slot
    holds a column of its own, so the long edge runs straight down it. ``leftmost`` are the
    states with branches: their branches are drawn in lanes on the left, so a Map placed beside
    a sibling (a Choice's two ways) goes on the left of it and the arrow into its branch crosses
    nothing (on its right, that arrow crossed the sibling's way down).
    """
    members: dict[int, list[str]] = {}
    parents: dict[str, list[str]] = {}
    chains: dict[tuple[str, str], list[str]] = {}
    for node_id in order:
        if node_id in ranks:
            members.setdefault(ranks[node_id], []).append(node_id)
    for source, target in forward:
        low, high = ranks[source], ranks[target]
        chain = [f"{source}\0{target}\0{rank}" for rank in range(low + 1, high)]
        for rank, dummy in zip(range(low + 1, high), chain, strict=True):
            members.setdefault(rank, []).append(dummy)
        steps = [source, *chain, target]
        for upper, lower in itertools.pairwise(steps):
            parents.setdefault(lower, []).append(upper)
        chains[(source, target)] = chain
    x: dict[str, float] = {}
    for rank in sorted(members):
        first_seen = {node_id: index for index, node_id in enumerate(members[rank])}

        def centre(node_id: str) -> float:
            above = [x[p] for p in parents.get(node_id, []) if p in x]
            return sum(above) / len(above) if above else x_offset

        ids = sorted(
            first_seen, key=lambda node_id: (centre(node_id), node_id not in leftmost, first_seen[node_id])
        )
        for index, node_id in enumerate(ids):
            x[node_id] = x_offset + (index - (len(ids) - 1) / 2) * SPREAD
    return x, chains


def _place_level(
    states: Mapping[str, Any],
    start_at: str,
    prefix: str,
    x_offset: float,
    y_offset: float,
    layout: GraphLayout,
    routes: dict[tuple[str, str], list[Point]],
    top: bool = False,
) -> None:
    """Place one level of states (the workflow, or one branch), its branches, and its edges.

    At the top level the End marker is ranked with the states (an edge from each final state)
    and the Catch-only states get a lane on the right; in a branch they go under the branch.
    """
    edges = [edge for name, state in states.items() for edge in _flow_edges(prefix, name, state)]
    start = prefix + start_at
    reached = _ranks(_forward(start, edges), start, len(states))
    finals = [
        prefix + n
        for n, s in states.items()
        if (s.get("End") or s.get("Type") in {"Succeed", "Fail"}) and prefix + n in reached
    ]
    if top:
        edges.extend(Edge(final, END_ID, "", "next") for final in finals)
    forward = _forward(start, edges)
    ranks = _ranks(forward, start, len(states) + 1)
    order = [prefix + name for name in states] + ([END_ID] if top else [])
    with_branches = frozenset(prefix + name for name, state in states.items() if _branches(state))
    x, chains = _slots(forward, ranks, order, x_offset, with_branches)
    choices = {
        ranks[prefix + n] for n, s in states.items() if s.get("Type") == "Choice" and prefix + n in ranks
    }
    y = [
        y_offset + rank + CHOICE_GAP * sum(c < rank for c in choices)
        for rank in range(max(ranks.values()) + 1)
    ]
    placed = {node_id: (x[node_id], y[rank]) for node_id, rank in ranks.items()}
    for (source, target), chain in chains.items():
        if chain:
            routes[(source, target)] = [(x[d], y[ranks[source] + i + 1]) for i, d in enumerate(chain)]
    # States only a Catch reaches: on the right, level with the states that lead to them; in a
    # branch, under its last rank (the edges into them are routed down the branch's side).
    lane = max(x.values()) + SPREAD + LANE_GAP
    bottom = y[-1] + 1
    for name in states:
        node_id = prefix + name
        if node_id in placed:
            continue
        if top:
            sources = [placed[e.source][1] for e in edges if e.target == node_id and e.source in placed]
            placed[node_id] = (lane, sum(sources) / len(sources) if sources else y_offset)
        else:
            placed[node_id] = (x_offset, bottom)
            bottom += 1
    if END_ID in placed:
        layout.nodes.append(Node(END_ID, "End", "", *placed.pop(END_ID)))
    # Branches of Map and Parallel: lanes on the left, starting a rank below their parent, so the
    # arrow into a branch runs under the parent's neighbours instead of through them.
    # Each lane is a frame's margins wider than a column, so frames clear the boxes beside them.
    lane_width = SPREAD + 2 * FRAME_PAD
    branch_x = min(x.values()) - lane_width
    for name, state in states.items():
        node_id = prefix + name
        layout.nodes.append(Node(node_id, name, state.get("Type", ""), *placed[node_id]))
        for index, branch in enumerate(_branches(state)):
            branch_prefix = f"{node_id}/{index}/"
            before = len(layout.nodes)
            below = placed[node_id][1] + 1
            _place_level(branch["States"], branch["StartAt"], branch_prefix, branch_x, below, layout, routes)
            layout.edges.append(Edge(node_id, branch_prefix + branch["StartAt"], "", "branch"))
            branch_x = min((n.x for n in layout.nodes[before:]), default=branch_x) - lane_width
    layout.edges.extend(edges)


def _frames(nodes: list[Node]) -> list[Frame]:
    """A frame round each branch's states (nested branches inside their parent's frame), fitted
    to the boxes as sized, captioned with what runs them: a Map's branch once per item, a
    Parallel's branches side by side."""
    frames = []
    for parent in nodes:
        inside = [n for n in nodes if n.node_id.startswith(parent.node_id + "/")]
        branches = sorted({int(n.node_id[len(parent.node_id) + 1 :].split("/", 1)[0]) for n in inside})
        for index in branches:
            members = [n for n in inside if n.node_id.startswith(f"{parent.node_id}/{index}/")]
            # Short: the caption fits the frame of one 468 px column; the arrow names the parent.
            label = f"branch {index + 1} of {len(branches)}"
            if parent.state_type == "Map":
                label = "once per item"
            frames.append(
                Frame(
                    parent.node_id,
                    label,
                    min(n.x for n in members) - BOX_HALF_WIDTH - FRAME_PAD,
                    max(n.x for n in members) + BOX_HALF_WIDTH + FRAME_PAD,
                    min(n.y - n.half_height for n in members) - FRAME_PAD,
                    max(n.y + n.half_height for n in members) + FRAME_CAPTION,
                )
            )
    return frames


def wrap(text: str, width: int) -> tuple[str, ...]:
    """``text`` in lines of at most ``width`` characters, broken between words (a longer word
    keeps a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def note_lines(note: str, width: int = 20) -> tuple[str, ...]:
    """A Map's progress note as the box shows it under the name: ``3/9 done`` with the type,
    the rest (``1 failed, 2 running``) on lines of at most ``width`` characters, so the box
    stays as narrow as the others."""
    first, *rest = note.split(", ")
    lines: list[str] = []
    for part in rest:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += ", " + part
        else:
            lines.append(part)
    return (first, *lines)


def line_chars(left: float, right: float, char_px: float = NAME_CHAR_PX, box_px: float | None = None) -> int:
    """How many characters of ``char_px`` px fit a line of a box ``box_px`` wide; by default
    the width a box has when the graph spanning ``left``..``right`` is drawn ``NARROW_WIDTH`` px wide."""
    if box_px is None:
        box_px = NARROW_WIDTH * 2 * BOX_HALF_WIDTH / (right - left)
    return max(6, int((box_px - 8) / char_px))


def layout_workflow(
    definition: Mapping[str, Any], notes: Mapping[str, str] | None = None, *, box_px: float | None = None
) -> GraphLayout:
    """Positions of every state of ``definition`` (plus Start and End), their text lines, and
    the edges between them, each routed clear of the boxes it does not connect.

    Node ids are the state names at the top level and ``parent/branch index/name`` inside
    Parallel and Map branches; ``Node.name`` is always the state's own name. ``notes`` (state
    name -> a few words, a Map's progress) go on a top-level state's box under its name.
    ``box_px``: the width a box is drawn at, in px, where that is fixed (the report's SVG): names
    are wrapped to fit it; by default they fit the narrowest plot the app draws (``NARROW_WIDTH``).
    """
    notes = notes or {}
    layout = GraphLayout()
    routes: dict[tuple[str, str], list[Point]] = {}
    layout.nodes.append(Node(START_ID, "Start", "", 0.0, 0.0))
    layout.edges.append(Edge(START_ID, definition["StartAt"], "", "next"))
    _place_level(definition["States"], definition["StartAt"], "", 0.0, 1.0, layout, routes, top=True)
    layout.nodes.sort(key=lambda node: node.node_id == END_ID)  # End last, as it is drawn
    layout.frames = _frames(layout.nodes)  # their width counts in the span; heights come after sizing
    left, right = layout.x_range()
    span = (left - 0.12, right + 0.12)  # room for the channels routing adds
    chars, note_chars = line_chars(*span, NAME_CHAR_PX, box_px), line_chars(*span, NOTE_CHAR_PX, box_px)
    sized = []
    for node in layout.nodes:
        if node.node_id in {START_ID, END_ID}:
            sized.append(node)
            continue
        own = node.node_id == node.name and node.name in notes  # a top-level state's note
        noted = note_lines(notes[node.name], note_chars) if own else ()
        names = wrap(node.name, chars)
        lines = len(names) + max(1, len(noted))
        half = HALF_HEIGHTS[min(max(lines, 2), max(HALF_HEIGHTS))]
        sized.append(Node(node.node_id, node.name, node.state_type, node.x, node.y, names, noted, half))
    layout.nodes = sized
    layout.frames = _frames(sized)
    boxes = {
        node.node_id: Box(
            node.x,
            node.y,
            *(MARKER_HALF if node.node_id in {START_ID, END_ID} else (BOX_HALF_WIDTH, node.half_height)),
        )
        for node in layout.nodes
    }
    layout.edges = [
        Edge(
            e.source,
            e.target,
            e.label,
            e.kind,
            routing.route(e.source, e.target, e.kind, boxes, routes.get((e.source, e.target), [])),
        )
        for e in layout.edges
    ]
    return layout
