"""Distributions binned on the server (pipeline/views/binning.py) count every value once."""

from __future__ import annotations

import numpy as np

from pipeline.views.binning import equal_bins


def test_every_value_falls_in_exactly_one_bin_including_the_maximum():
    values = np.array([0.0, 1.0, 2.5, 9.99, 10.0])

    bins = equal_bins(values, bins=4)

    assert bins.counts.tolist() == [2, 1, 0, 2]
    assert bins.edges.tolist() == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert bins.width == 2.5
    assert bins.centers.tolist() == [1.25, 3.75, 6.25, 8.75]


def test_one_distinct_value_is_one_bar_of_width_one_around_it():
    bins = equal_bins(np.array([3.0, 3.0, 3.0]))

    assert bins.counts.tolist() == [3]
    assert bins.centers.tolist() == [3.0]
    assert bins.width == 1.0


def test_no_values_give_one_empty_bin():
    bins = equal_bins(np.array([]))

    assert bins.counts.tolist() == [0]
