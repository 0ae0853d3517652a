"""``python -m pipeline report RUN --out FILE.html``: a finished run as one self-contained HTML file.

The file opens offline in any browser (plotly's JavaScript inside, nothing fetched): dataset
and its quality, RFM segments, the workflow's own results (clustering: the quality gate and
the clusters, each described in a sentence), the workflow graph with step durations,
parameters and provenance. RUN is the run name the app and ``list`` show, or the ARN.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.commands.run_lookup import add_run_argument, resolve_run
from pipeline.output_file import out_file

HELP = "Write a finished run's report: one self-contained HTML file (RUN: run name or execution ARN)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """RUN, the backend and ``--out``."""
    add_run_argument(parser)
    parser.add_argument(
        "--out",
        metavar="FILE.html",
        type=out_file,
        default=None,
        help="where to write the report (default: report-<run name>.html in the current folder)",
    )


def run(args: argparse.Namespace) -> int:
    """Build the report, write it, say where (on stderr) and how many charts it draws."""
    from pipeline.report.build import build_report, write_report

    backend, arn = resolve_run(args.run, args.backend)
    report = build_report(backend, arn)
    path = args.out if args.out is not None else Path(report.file_name)
    write_report(report, path)
    print(f"Wrote the report of {report.run_name} to {path} ({report.figures} charts).", file=sys.stderr)
    return 0
