"""Counts in sentences ("1 row", "29,264 rows") and the names of measures shown in several places.

A file of one line, a filter that leaves one customer or one country are real cases (an upload
of a single line, a small country), and "1 rows kept" reads as a bug to the person looking at it.
A measure named differently on two pages reads as two measures: the labels below are the one name
the app, the HTML report and the CLI give each (data columns and JSON keys keep their own names).
"""

from __future__ import annotations

from pipeline.analysis.measures import WCSS_LABEL as WCSS_LABEL  # re-exported: the views' one place for names

# The k sweep's measure, WCSS_LABEL ("WCSS" where space is short), is defined beside the analysis
# (pipeline.analysis.measures): the workflows' CLI lines use it and may not import the views.

#: The average customer's recency, frequency and spend, as the Segments figures grid labels them.
AVG_RECENCY_LABEL = "Avg. days since last purchase"
AVG_FREQUENCY_LABEL = "Avg. purchases"
AVG_MONETARY_LABEL = "Avg. spend (£)"
#: A revenue column's header: the pound sign in the header, whole pounds in the cells (as the app).
REVENUE_LABEL = "Revenue (£)"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` in the number it takes: the singular for
    exactly one, else ``plural`` (``noun + "s"`` unless given, e.g. "countries")."""
    word = noun if count == 1 else (plural if plural is not None else noun + "s")
    return f"{count:,} {word}"


def pounds(amount: float) -> str:
    """Money as the app's metrics show it, whole pounds with the sign: "£602,850" (the report once
    said "602,850.43" and "spent 51 each", figures a reader could not tell were money)."""
    sign = "-" if round(amount) < 0 else ""
    return f"{sign}£{abs(amount):,.0f}"
