"""``python -m pipeline deploy``: preflight, then create or update the Lambda functions and state machine."""

from __future__ import annotations

import argparse

HELP = "Deploy the workflow to AWS: both Lambda functions and the Step Functions state machine."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--skip-preflight`` deploys even when a preflight check fails (e.g. iam:GetRole is denied)."""
    parser.add_argument(
        "--skip-preflight", action="store_true", help="deploy without running the preflight checks first"
    )


def run(args: argparse.Namespace) -> int:
    """Print each preflight check and deploy message; 2 when a check fails, 0 after a deploy."""
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
    print(result.state_machine_arn)
    return 0
