"""``python -m pipeline export-cfn``: the state machine as a CloudFormation template (from the SDK).

Works without AWS settings, as the Launch page does: until the aws backend is configured the
template is built with placeholder roles and bucket, and a note on stderr says what to set.
"""

from __future__ import annotations

import argparse
import sys

from pipeline.errors import WorkflowError
from pipeline.output_file import out_file, write_output

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
    parser.add_argument("--out", type=out_file, help="write the template to this file instead of stdout")
    parser.add_argument("--description", help="the template's Description")


def template_text(workflow: str | None = None, description: str | None = None) -> tuple[str, str]:
    """The workflow's template, and why it has placeholders ("" when built from the AWS settings)."""
    from pipeline.backends.aws import AwsBackend
    from pipeline.errors import PreflightError
    from pipeline.workflows.registry import get_workflow

    spec = get_workflow(workflow)
    backend = AwsBackend()
    try:
        return backend.cloudformation_template(spec, description=description), ""
    except PreflightError as error:
        if description is None:
            documents = backend.workflow_documents(spec)
            return documents.template, documents.placeholder_reason or str(error)
        return spec.build(backend.placeholder_settings(spec)).cloudformation_template(description), str(error)


def run(args: argparse.Namespace) -> int:
    """Build the workflow offline from the AWS settings (placeholders for what is missing); emit
    ``Workflow.get_cloudformation_template()``."""
    template, placeholder_reason = template_text(args.workflow, args.description)
    if placeholder_reason:
        print(
            "Note: built with placeholder roles and bucket until the aws backend is configured. "
            f"{placeholder_reason} Replace the placeholders before deploying this template.",
            file=sys.stderr,
        )
    if args.out is None:
        sys.stdout.write(template if template.endswith("\n") else template + "\n")
        return 0
    write_output(args.out, template, WorkflowError)
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0
