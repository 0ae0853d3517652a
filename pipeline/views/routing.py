"""The path of each arrow of the workflow graph: from its source box's border to its target's,
around every box it does not connect (pure geometry, no plotting).

A straight arrow is kept when it crosses no other box. Otherwise a few orthogonal routes are
tried in turn (down into the gap under the source, then across and into the target; down the
side of the boxes in a column), and the first one clear of every box wins, so an arrow never
runs through a state it does not connect, which read as a wrong transition.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Point = tuple[float, float]

#: Half a box's width in layout units (two states of a rank are 1.2 apart).
BOX_HALF_WIDTH = 0.55
#: How far beside a box a routed edge runs (layout units).
CLEARANCE = 0.12


@dataclass(frozen=True)
class Box:
    """A drawn box (or marker): centre and half sizes, in layout units."""

    x: float
    y: float
    half_width: float
    half_height: float

    @property
    def left(self) -> float:
        return self.x - self.half_width

    @property
    def right(self) -> float:
        return self.x + self.half_width

    @property
    def top(self) -> float:
        return self.y - self.half_height

    @property
    def bottom(self) -> float:
        return self.y + self.half_height


def crosses(start: Point, end: Point, box: Box, margin: float = 0.01) -> bool:
    """Whether the segment ``start``-``end`` passes through the inside of ``box`` (Liang-Barsky:
    clip the segment's parameter to each slab of the box; touching a border does not count)."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in (
        (-dx, x0 - (box.left + margin)),
        (dx, (box.right - margin) - x0),
        (-dy, y0 - (box.top + margin)),
        (dy, (box.bottom - margin) - y0),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return high - low > 1e-9


def clear(points: Sequence[Point], obstacles: Iterable[Box]) -> bool:
    """Whether no segment of the polyline ``points`` goes through any of ``obstacles``."""
    boxes = list(obstacles)
    return not any(crosses(a, b, box) for a, b in itertools.pairwise(points) for box in boxes)


def _entry(source: Box, target: Box, kind: str) -> tuple[Point, Point]:
    """The straight arrow's two ends on the borders, as the console draws them: down from the
    bottom to the top of the next rank, through the sides to a box beside or far across, and
    into a branch from near its parent's bottom-left corner."""
    if kind == "branch" and target.y > source.y:
        return (source.x - source.half_width * 0.5, source.bottom), (target.x, target.top)
    if abs(source.y - target.y) < 1e-9 or abs(target.x - source.x) > source.half_width + target.half_width:
        side = 1 if target.x > source.x else -1
        leave = (source.x + side * source.half_width, source.y)
        return leave, (target.x - side * target.half_width, target.y)
    if target.y > source.y:
        return (source.x, source.bottom), (target.x, target.top)
    return (source.x, source.top), (target.x, target.bottom)


def _candidates(source: Box, target: Box, kind: str, via: Sequence[Point]) -> list[list[Point]]:
    """Routes to try, best looking first."""
    start, end = _entry(source, target, kind)
    if via:  # an edge skipping ranks: straight down its own column of dummy slots
        return [[(source.x, source.bottom), *via, (target.x, target.top)]]
    side = 1 if target.x >= source.x else -1
    facing = (target.x - side * target.half_width, target.y)
    beside = target.x - side * (target.half_width + CLEARANCE)  # a channel just beside the target
    below = source.y + 0.5 if target.y >= source.y else source.y - 0.5  # the gap between ranks
    routes = [[start, end]]
    if abs(target.x - source.x) > source.half_width + target.half_width:
        # Out of the side facing the target, along its rank to the channel, then down (or up)
        # it and in: the catches into the failure lane share that channel.
        out = (source.x + side * source.half_width, source.y)
        routes.append([out, (beside, source.y), (beside, target.y), facing])
    down = (source.x + side * source.half_width * 0.5, source.bottom)  # beside a Next's arrow
    gap_routes = [
        # Into the gap under the source, then straight to the target's facing side.
        [down, (down[0], below), facing],
        # Into the gap, across to just beside the target, then down (or up) to it.
        [down, (down[0], below), (beside, below), (beside, target.y), facing],
    ]
    # Out of a side, down beside the column, and into the target's same side (a state under
    # the ones between, such as a branch's Catch-only state).
    side_routes = []
    for outward in (-1, 1):
        if outward < 0:
            lane = min(source.left, target.left) - CLEARANCE
        else:
            lane = max(source.right, target.right) + CLEARANCE
        side_routes.append(
            [
                (source.x + outward * source.half_width, source.y),
                (lane, source.y),
                (lane, target.y),
                (target.x + outward * target.half_width, target.y),
            ]
        )
    same_column = abs(target.x - source.x) < source.half_width
    routes.extend(side_routes + gap_routes if same_column else gap_routes + side_routes)
    return routes


def route(
    source: str, target: str, kind: str, boxes: Mapping[str, Box], via: Sequence[Point] = ()
) -> tuple[Point, ...]:
    """The polyline of the edge ``source`` -> ``target``: the first candidate clear of every box
    but its two ends, else the straight arrow (a graph too crowded to route around)."""
    obstacles = [box for node_id, box in boxes.items() if node_id not in {source, target}]
    candidates = _candidates(boxes[source], boxes[target], kind, via)
    for points in candidates:
        if clear(points, obstacles):
            return tuple(points)
    return tuple(candidates[0])
