"""The local backend: the SDK-built workflow run by the embedded engine, no AWS account needed.

``LocalBackend`` drives ``pipeline.local.client.LocalStepFunctionsClient`` through the SDK's
own ``Workflow`` (create/update, execute), exactly as the aws backend drives boto3's client,
and keeps the run's files in the local bucket (``data_home()/s3``) with the S3 layout the
AWS path uses. Executions run in background worker processes, so a launch returns at once
and survives the Streamlit script run that started it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from pipeline.backends.base import Check, DeployResult, RunParameters, RunResults
from pipeline.config import LOCAL_BUCKET, local_bucket_root
from pipeline.errors import WorkflowError
from pipeline.storage import LocalBucketStorage, Storage
from pipeline.workflows.clustering import (
    DEFAULT_PREFIX,
    WORKFLOW_NAME,
    build_workflow,
    execution_input_for,
    rerun_of,
)

#: Terminal statuses of an execution, as Step Functions names them.
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (first 16 hex digits): the dataset's name in the bucket, so the
    same data uploaded twice is stored once."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def new_run_name(now: dt.datetime | None = None) -> str:
    """A unique, readable execution name: ``rfm-YYYYMMDD-HHMMSS-<6 hex>``."""
    now = now or dt.datetime.now(dt.UTC)
    return f"rfm-{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def check_parameters(params: RunParameters) -> None:
    """Refuse parameters no run could succeed with, before anything is uploaded or started."""
    if int(params.k) < 2:
        raise WorkflowError(f"k must be at least 2 (got {params.k}): ask for 2 or more clusters.")
    if not -1.0 <= float(params.quality_threshold) <= 1.0:
        raise WorkflowError(
            f"The quality threshold is a silhouette score, between -1 and 1 (got {params.quality_threshold})."
        )
    if int(params.instance_count) < 1:
        raise WorkflowError(f"The instance count must be at least 1 (got {params.instance_count}).")


class LocalBackend:
    """The ``Backend`` of pipeline/backends/base.py on this machine."""

    name = "local"

    def __init__(
        self,
        client: Any = None,
        *,
        storage: Storage | None = None,
        bucket: str = LOCAL_BUCKET,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        """``client`` defaults to a process-mode ``LocalStepFunctionsClient`` on the run store of
        the data directory; tests pass a thread-mode one."""
        if client is None:
            from pipeline.local.client import LocalStepFunctionsClient

            client = LocalStepFunctionsClient()
        self.client = client
        self.storage = storage or LocalBucketStorage(local_bucket_root())
        self.bucket = bucket
        self.prefix = prefix
        self._built = None

    # Workflow ---------------------------------------------------------------------------------

    def _build(self):
        # Building costs ~0.5 s (sagemaker's session and image lookup): build once per backend.
        if self._built is None:
            self._built = build_workflow(bucket=self.bucket, prefix=self.prefix, client=self.client)
        return self._built

    def _workflow(self, state_machine_arn: str | None = None):
        """The built workflow pointed at ``state_machine_arn`` (None before ``create``)."""
        workflow = self._build()
        workflow.state_machine_arn = state_machine_arn
        return workflow

    def state_machine_arn(self) -> str:
        """The ARN the local engine gives the clustering state machine."""
        from pipeline.local.client import state_machine_arn

        return state_machine_arn(WORKFLOW_NAME)

    def definition(self) -> dict[str, Any]:
        """The ASL definition the SDK generates for this backend."""
        # Read-only: must not detach the shared workflow from its state machine while another
        # session's thread (the app shares this backend) is launching with it.
        return self._build().definition.to_dict()

    def preflight(self) -> list[Check]:
        """The local backend needs a writable data directory and a definition the engine accepts."""
        checks = []
        try:
            probe = f"s3://{self.bucket}/{self.prefix}/.preflight"
            self.storage.write_bytes(probe, b"ok")
            checks.append(
                Check("Local bucket", True, f"Files go to s3://{self.bucket}/{self.prefix}/ locally.")
            )
        except OSError as error:
            checks.append(
                Check("Local bucket", False, f"Cannot write the local bucket ({error}): set RFM_STUDIO_HOME.")
            )
        try:
            from pipeline.local.asl.validation import validate_definition

            validate_definition(self.definition())
            checks.append(
                Check("Workflow definition", True, "The SDK's definition passes the engine's checks.")
            )
        except Exception as error:
            checks.append(Check("Workflow definition", False, f"The workflow cannot be built: {error}"))
        return checks

    def deploy(self) -> DeployResult:
        """Create the state machine in the local engine, or update it to the current definition."""
        arn = self.state_machine_arn()
        try:
            self.client.describe_state_machine(stateMachineArn=arn)
        except self.client.exceptions.StateMachineDoesNotExist:
            arn = self._workflow().create()
            return DeployResult(state_machine_arn=arn, messages=[f"Created the state machine {arn}."])
        workflow = self._workflow(state_machine_arn=arn)
        workflow.update(definition=workflow.definition)
        return DeployResult(state_machine_arn=arn, messages=[f"Updated the state machine {arn}."])

    # Runs -------------------------------------------------------------------------------------

    def upload(self, dataset_path: Path) -> str:
        """Copy the dataset into the local bucket under its content hash; returns its URI."""
        dataset_path = Path(dataset_path)
        if not dataset_path.is_file():
            raise WorkflowError(f"The dataset file {dataset_path} does not exist: load the data again.")
        suffix = dataset_path.suffix.lower() or ".parquet"
        uri = f"s3://{self.bucket}/{self.prefix}/raw/{content_hash(dataset_path)}{suffix}"
        if not self.storage.exists(uri):
            self.storage.write_bytes(uri, dataset_path.read_bytes())
        return uri

    def launch(self, dataset_path: Path, params: RunParameters, *, dataset_name: str = "") -> str:
        """Upload the dataset, start an execution with a unique name, return its ARN."""
        check_parameters(params)
        data_uri = self.upload(dataset_path)
        return self._start(data_uri, params, dataset_name or Path(dataset_path).name)

    def relaunch(self, execution_arn: str) -> str:
        """Start a new execution with the same data and parameters as ``execution_arn``; its ARN.

        The new run gets a new unique name (so new SageMaker job names and its own run folder);
        the dataset is the one already in the local bucket (``DataUri``), not uploaded again.
        """
        data_uri, params, dataset_name = rerun_of(self.describe(execution_arn).get("input"))
        if not self.storage.exists(data_uri):
            raise WorkflowError(
                f"The dataset of that execution ({data_uri}) is no longer in the local bucket: "
                "load the data again and launch from the Launch page."
            )
        check_parameters(params)
        return self._start(data_uri, params, dataset_name)

    def _start(self, data_uri: str, params: RunParameters, dataset_name: str) -> str:
        """Deploy if needed and start an execution under a new unique run name; its ARN."""
        arn = self.deploy().state_machine_arn
        run_name = new_run_name()
        inputs = execution_input_for(
            run_name, params, data_uri, self.bucket, self.prefix, dataset_name=dataset_name
        )
        execution = self._workflow(state_machine_arn=arn).execute(name=run_name, inputs=inputs)
        return execution.execution_arn

    def state_machine_definition(self, state_machine_arn: str) -> dict[str, Any]:
        """The ASL definition of a state machine in the local engine (what its executions ran)."""
        try:
            described = self.client.describe_state_machine(stateMachineArn=state_machine_arn)
        except (self.client.exceptions.StateMachineDoesNotExist, self.client.exceptions.InvalidArn):
            return self.definition()
        return json.loads(described["definition"])

    def list_executions(self) -> list[dict[str, Any]]:
        """``list_executions`` items, newest first, with the run's ``parameters`` and ``dataset``."""
        from pipeline.workflows.clustering import parameters_from_input

        try:
            pages = self.client.get_paginator("list_executions").paginate(
                stateMachineArn=self.state_machine_arn()
            )
            items = [item for page in pages for item in page["executions"]]
        except self.client.exceptions.StateMachineDoesNotExist:
            return []
        for item in items:
            execution_input = json.loads(self.describe(item["executionArn"]).get("input") or "{}")
            item["parameters"] = parameters_from_input(execution_input).to_dict()
            item["dataset"] = execution_input.get("DatasetName", "")
        return items

    def describe(self, execution_arn: str) -> dict[str, Any]:
        """``describe_execution`` of one execution."""
        try:
            return self.client.describe_execution(executionArn=execution_arn)
        except (self.client.exceptions.ExecutionDoesNotExist, self.client.exceptions.InvalidArn) as error:
            raise WorkflowError(
                f"No local execution {execution_arn}: {error}. Pick one from the list."
            ) from None

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """All ``get_execution_history`` events, oldest first."""
        self.describe(execution_arn)
        pages = self.client.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
        return [event for page in pages for event in page["events"]]

    def stop(self, execution_arn: str, cause: str = "Stopped by the user") -> None:
        """Ask the engine to stop a running execution (it ends ABORTED)."""
        self.describe(execution_arn)
        self.client.stop_execution(executionArn=execution_arn, cause=cause)

    def results(self, execution_arn: str) -> RunResults:
        """clusters.csv and summary.json of a SUCCEEDED execution."""
        from pipeline.workflows.results import read_run_results

        description = self.describe(execution_arn)
        if description["status"] != "SUCCEEDED":
            raise WorkflowError(
                f"The execution is {description['status']}, so it has no results: "
                + (f"{description.get('cause')}" if description.get("cause") else "wait for it to succeed.")
            )
        run_prefix = json.loads(description.get("input") or "{}").get("RunPrefix")
        if not run_prefix:
            raise WorkflowError(
                "The execution's input has no RunPrefix: it was not started by RFM Workflow Studio."
            )
        return read_run_results(run_prefix, self.storage)
