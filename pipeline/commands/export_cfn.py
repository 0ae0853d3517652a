"""``python -m pipeline export-cfn``: the state machine as a CloudFormation template (from the SDK)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import WorkflowError

HELP = "Print (or write with --out) the CloudFormation template of a workflow's state machine."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--workflow`` chooses the workflow; ``--out FILE`` writes the template there instead of stdout."""
    from pipeline.workflows.registry import WORKFLOWS, default_workflow

    parser.add_argument(
        "--workflow",
        choices=[spec.name for spec in WORKFLOWS],
        default=default_workflow().name,
        help=f"whose state machine (default {default_workflow().name})",
    )
    parser.add_argument("--out", type=Path, help="write the template to this file instead of stdout")
    parser.add_argument("--description", help="the template's Description")


def run(args: argparse.Namespace) -> int:
    """Build the workflow offline from the AWS settings; emit ``Workflow.get_cloudformation_template()``."""
    from pipeline.backends.aws import AwsBackend

    template = AwsBackend().cloudformation_template(args.workflow, description=args.description)
    if args.out is None:
        sys.stdout.write(template if template.endswith("\n") else template + "\n")
        return 0
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(template, encoding="utf-8")
    except OSError as error:
        raise WorkflowError(
            f"Cannot write {args.out}: {error.strerror}. Choose another --out path."
        ) from error
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0
