"""``python -m pipeline deploy``: preflight, then create or update every workflow's Lambda functions and
state machine (clustering and price regression)."""

from __future__ import annotations

import argparse

HELP = "Deploy every workflow to AWS: their Lambda functions and Step Functions state machines."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--skip-preflight`` deploys even when a preflight check fails (e.g. iam:GetRole is denied)."""
    parser.add_argument(
        "--skip-preflight", action="store_true", help="deploy without running the preflight checks first"
    )


def run(args: argparse.Namespace) -> int:
    """Print each preflight check and deploy message, then each state machine's ARN; 2 when a check
    fails, 0 after a deploy."""
    from pipeline.backends.aws import AwsBackend

    backend = AwsBackend()
    if not args.skip_preflight:
        checks = backend.preflight()
        for check in checks:
            print(f"[{'ok' if check.ok else 'FAIL'}] {check.name}: {check.message}")
        if not all(check.ok for check in checks):
            print("Preflight failed: fix the checks marked FAIL above, then deploy again.")
            return 2
    result = backend.deploy()
    for message in result.messages:
        print(message)
    for arn in result.state_machines.values() or [result.state_machine_arn]:
        print(arn)
    return 0
