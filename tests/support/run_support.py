"""Starting a run the studio's launch check would refuse, as another Step Functions client can.

The backends refuse a run that cannot succeed before anything starts; but a state machine on
AWS can be started from the console or a script too, and then the workflow's own Lambda must
refuse it with the same sentence. Tests that need such a failed run start it this way, through
the backend's public pieces: its upload, its state machine, its Step Functions client.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.workflows.registry import workflow_of
from pipeline.workflows.runs import new_run_name


def start_unchecked(backend: Any, dataset_path: Path, params: Any, *, dataset_name: str = "") -> str:
    """Start an execution of ``params``'s workflow on ``backend`` without the launch check; its ARN."""
    spec = workflow_of(params)
    data_uri = backend.upload(Path(dataset_path))
    state_machine_arn, _ = backend.ensure_state_machine(spec)
    run_name = new_run_name(spec.run_name_prefix)
    inputs = spec.execution_input(
        run_name, params, data_uri, backend.bucket, backend.prefix, dataset_name=dataset_name
    )
    response = backend.stepfunctions_client().start_execution(
        stateMachineArn=state_machine_arn, name=run_name, input=json.dumps(inputs)
    )
    return response["executionArn"]
