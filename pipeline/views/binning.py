"""Histograms binned on the server, drawn by Plotly.js as plain bars.

A ``go.Histogram`` sends every value to the browser (3,591 customers x 3 columns at full
scale, 124 KB of JSON; ten times that at 10x) and Plotly.js bins them again on every redraw.
The counts per bin are all the chart shows, so they are computed here once, with numpy, and
the figure carries 40 bars per panel whatever the number of customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Bins per distribution, as the histograms had (``nbinsx=40``).
BINS = 40


@dataclass(frozen=True)
class Bins:
    """Counts of values in equal-width bins; ``edges`` has one more entry than ``counts``."""

    edges: np.ndarray
    counts: np.ndarray

    @property
    def centers(self) -> np.ndarray:
        """The middle of each bin (where its bar stands)."""
        return (self.edges[:-1] + self.edges[1:]) / 2

    @property
    def width(self) -> float:
        """The width of one bin (every bin has the same)."""
        return float(self.edges[1] - self.edges[0])


def equal_bins(values: np.ndarray, bins: int = BINS) -> Bins:
    """``values`` (finite floats) counted in ``bins`` equal bins from their minimum to their maximum.

    A single distinct value gets one bin of width 1 around it, so its bar is still drawn.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return Bins(edges=np.array([0.0, 1.0]), counts=np.array([0]))
    low, high = float(values.min()), float(values.max())
    if low == high:
        return Bins(edges=np.array([low - 0.5, high + 0.5]), counts=np.array([values.size]))
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return Bins(edges=edges, counts=counts)
