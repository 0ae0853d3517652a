"""Counts read as English: one row, two rows (a one-line upload said "Loaded 1 rows")."""

from __future__ import annotations

import pytest

from pipeline.views.wording import counted


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (541_909, "541,909 rows")],
)
def test_counted_takes_the_singular_for_exactly_one(count, expected):
    assert counted(count, "row") == expected


def test_counted_takes_an_irregular_plural_when_given():
    assert counted(1, "country", "countries") == "1 country"
    assert counted(38, "country", "countries") == "38 countries"
