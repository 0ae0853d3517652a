"""Build a finished run's report: gather it, draw every section, lay out one HTML page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import WorkflowError
from pipeline.output_file import write_output
from pipeline.report import common
from pipeline.report.page import figure_count, render_page
from pipeline.report.run_facts import RunFacts, gather
from pipeline.report.sections import WORKFLOW_SECTIONS


@dataclass(frozen=True)
class Report:
    """A built report: the page, the run it describes and how many charts it draws."""

    html: str
    run_name: str
    figures: int

    @property
    def file_name(self) -> str:
        """A file name for the download: ``report-<run name>.html``."""
        return f"report-{self.run_name}.html"


def report_from_facts(facts: RunFacts) -> Report:
    """The report of gathered run facts (split from :func:`build_report` so tests can reuse facts)."""
    builder = WORKFLOW_SECTIONS.get(facts.spec.name)
    headline, own_sections = builder(facts) if builder else ([], [])
    sections = [
        common.overview_section(facts, headline),
        common.dataset_section(facts),
        *own_sections,
        common.workflow_section(facts),
        common.provenance_section(facts),
    ]
    title = f"{facts.spec.title} report: {facts.name}"
    subtitle = f"Run {facts.name} on {facts.dataset_name} ({facts.backend_name} backend), {facts.status}."
    return Report(render_page(title, subtitle, sections), facts.name, figure_count(sections))


def build_report(backend: Any, execution_arn: str) -> Report:
    """The report of the finished execution ``execution_arn`` on ``backend``."""
    return report_from_facts(gather(backend, execution_arn))


def write_report(report: Report, path: Path) -> None:
    """Write the report to ``path`` (its folder must exist); WorkflowError saying what to do if not."""
    write_output(path, report.html, WorkflowError)
