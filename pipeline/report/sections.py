"""Which sections each workflow's report has: the workflow's name -> its section builder.

A builder takes the gathered :class:`~pipeline.report.run_facts.RunFacts` and returns the
headline figures (label, value) and its sections, placed between the dataset and the
workflow graph. A workflow without an entry gets the shared sections only. Adding a
workflow's report is one module here and one entry below.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.report.clustering import clustering_sections
from pipeline.report.page import Section
from pipeline.report.price_regression import price_regression_sections
from pipeline.report.run_facts import RunFacts

SectionBuilder = Callable[[RunFacts], tuple[list[tuple[str, str]], list[Section]]]

WORKFLOW_SECTIONS: dict[str, SectionBuilder] = {
    "clustering": clustering_sections,
    "price-regression": price_regression_sections,
}
