"""The aws backend: the SDK-built workflow on AWS Step Functions, Lambda and SageMaker.

It implements :class:`pipeline.backends.base.Backend` with boto3 clients that all carry
timeouts and bounded retries (:mod:`pipeline.backends.aws_settings`). Deploying packages
the Lambda handlers and creates or updates the state machine through the SDK's
``Workflow.create()`` / ``Workflow.update()`` (:mod:`pipeline.backends.aws_deploy`);
launching uploads the dataset as Parquet to ``s3://BUCKET/PREFIX/raw/<hash>.parquet`` and
starts an execution with a unique name; a run's files live under
``s3://BUCKET/PREFIX/runs/<execution name>/`` and are read back with :mod:`pipeline.workflows.results`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

from pipeline.backends.aws_deploy import (
    LAMBDA_FUNCTIONS,
    build_package,
    deploy_function,
    deploy_state_machine,
)
from pipeline.backends.aws_deploy import find_state_machine as _find_state_machine
from pipeline.backends.aws_preflight import run_preflight
from pipeline.backends.aws_settings import SETTINGS_BY_FIELD, AwsSettings, aws_errors, error_code
from pipeline.backends.base import Check, DeployResult, RunParameters, RunResults
from pipeline.errors import PreflightError, WorkflowError
from pipeline.storage import join_uri


def execution_name(now: dt.datetime | None = None) -> str:
    """A unique, Step Functions- and SageMaker-safe execution name: ``rfm-YYYYmmdd-HHMMSS-<8 hex>``."""
    now = now or dt.datetime.now(dt.UTC)
    return f"rfm-{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"


class AwsBackend:
    """The Backend protocol on a real (or moto-mocked) AWS account."""

    name = "aws"

    def __init__(self, settings: AwsSettings | None = None) -> None:
        self.settings = settings or AwsSettings.from_environment()
        self._session = None
        self._clients: dict[str, Any] = {}
        self._workflow = None
        #: Run parameters and dataset name by execution ARN: an execution's input never changes,
        #: so each is described once, not on every listing.
        self._run_labels: dict[str, tuple[dict[str, Any], str]] = {}

    # --- plumbing ---------------------------------------------------------------------------

    def client(self, service: str):
        """One cached boto3 client a service, with the settings' timeouts and retries."""
        if service not in self._clients:
            with aws_errors(f"create an AWS {service} client", self.settings, PreflightError):
                if self._session is None:
                    self._session = self.settings.session()
                self._clients[service] = self.settings.client(service, self._session)
        return self._clients[service]

    def require(self, *fields: str) -> None:
        """Raise PreflightError naming every missing setting among ``fields`` and how to set it."""
        missing = [SETTINGS_BY_FIELD[f] for f in fields if not getattr(self.settings, f)]
        if missing:
            lines = "; ".join(f"{s.help}: {s.how_to_set}" for s in missing)
            raise PreflightError(f"The aws backend is not configured. Missing {lines}.")

    def workflow(self, state_machine_arn: str | None = None):
        """The SDK Workflow for these settings, bound to this backend's Step Functions client.

        Built once per backend (building costs about a second: the SDK and sagemaker resolve
        partitions and images); ``state_machine_arn`` attaches it to a deployed state machine.
        """
        if self._workflow is None:
            from pipeline.workflows.clustering import build_workflow

            self.require("region", "bucket", "sagemaker_role_arn", "states_role_arn")
            s = self.settings
            self._workflow = build_workflow(
                region=s.region,
                bucket=s.bucket,
                prefix=s.prefix,
                sagemaker_role_arn=s.sagemaker_role_arn,
                workflow_role_arn=s.states_role_arn,
                name=s.state_machine_name,
                client=self.client("stepfunctions"),
            )
        if state_machine_arn is not None:
            self._workflow.state_machine_arn = state_machine_arn
        return self._workflow

    def state_machine_arn(self) -> str:
        """The deployed state machine's ARN; a WorkflowError telling to deploy when there is none."""
        arn = _find_state_machine(
            self.client("stepfunctions"), self.settings.state_machine_name, self.settings
        )
        if arn is None:
            raise WorkflowError(
                f"State machine '{self.settings.state_machine_name}' is not deployed in "
                f"{self.settings.region}: "
                "run `python -m pipeline deploy` (or Deploy on the Launch page) first."
            )
        return arn

    # --- Backend protocol -------------------------------------------------------------------

    def preflight(self) -> list[Check]:
        """See :func:`pipeline.backends.aws_preflight.run_preflight`."""
        return run_preflight(self.settings)

    def definition(self) -> dict[str, Any]:
        """The ASL definition the SDK generates for these settings."""
        return self.workflow().definition.to_dict()

    def cloudformation_template(self, description: str | None = None) -> str:
        """The SDK's CloudFormation template (YAML) of the state machine."""
        return self.workflow().get_cloudformation_template(
            description or "RFM Workflow Studio: customer clustering state machine"
        )

    def deploy(self) -> DeployResult:
        """Create or update both Lambda functions, then the state machine."""
        self.require(
            "region", "bucket", "sagemaker_role_arn", "states_role_arn", "lambda_role_arn", "lambda_layer_arn"
        )
        functions, messages = [], []
        lambda_client = self.client("lambda")
        for name in LAMBDA_FUNCTIONS:
            package = build_package(name)
            missing = package.missing_on_lambda(extra_layers=bool(self.settings.extra_layer_arns))
            if missing:
                messages.append(
                    f"Warning: {name} imports {', '.join(missing)}, which the pandas layer lacks: "
                    "add a layer with them in RFM_LAMBDA_EXTRA_LAYER_ARNS."
                )
            arn, done = deploy_function(lambda_client, self.settings, package)
            functions.append(arn)
            messages.append(
                f"Lambda {name} {done} ({len(package.zip_bytes) / 1024:.0f} KiB, {len(package.files)} files)."
            )
        arn, done = deploy_state_machine(self.workflow(), self.client("stepfunctions"), self.settings)
        messages.append(f"State machine {self.settings.state_machine_name} {done}: {arn}")
        return DeployResult(state_machine_arn=arn, functions=functions, messages=messages)

    def upload_dataset(self, dataset_path: Path) -> str:
        """Upload the dataset as Parquet to ``raw/<sha256 prefix>.parquet`` (once) and return its URI."""
        self.require("region", "bucket")
        data = _parquet_bytes(Path(dataset_path))
        key = f"{self.settings.prefix.strip('/')}/raw/{hashlib.sha256(data).hexdigest()[:16]}.parquet"
        s3 = self.client("s3")
        bucket = self.settings.bucket
        with aws_errors(f"upload the dataset to s3://{bucket}/{key} (needs s3:PutObject)", self.settings):
            try:
                s3.head_object(Bucket=bucket, Key=key)
            except s3.exceptions.ClientError as error:
                if error_code(error) not in {"404", "NoSuchKey", "NotFound"}:
                    raise
                s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/vnd.apache.parquet")
        return f"s3://{bucket}/{key}"

    def launch(self, dataset_path: Path, params: RunParameters, *, dataset_name: str = "") -> str:
        """Upload the dataset, start an execution with a unique name, return its ARN."""
        state_machine_arn = self.state_machine_arn()  # not deployed: say so before uploading
        data_uri = self.upload_dataset(dataset_path)
        return self._start(data_uri, params, dataset_name or Path(dataset_path).name, state_machine_arn)

    def relaunch(self, execution_arn: str) -> str:
        """Start a new execution with the same DataUri and parameters as ``execution_arn``; its ARN.

        The new run gets a new unique name (new SageMaker job names and run folder); the data
        already uploaded to S3 (``DataUri``) is reused, not uploaded again.
        """
        from pipeline.workflows.clustering import rerun_of

        data_uri, params, dataset_name = rerun_of(self.describe(execution_arn).get("input"))
        return self._start(data_uri, params, dataset_name, self.state_machine_arn())

    def _start(self, data_uri: str, params: RunParameters, dataset_name: str, state_machine_arn: str) -> str:
        """Start an execution of the deployed state machine under a new unique name; its ARN."""
        from pipeline.workflows.clustering import execution_input_for

        workflow = self.workflow(state_machine_arn)
        name = execution_name()
        inputs = execution_input_for(
            name, params, data_uri, self.settings.bucket, self.settings.prefix, dataset_name=dataset_name
        )
        with aws_errors("start an execution (needs states:StartExecution)", self.settings):
            try:
                execution = workflow.execute(name=name, inputs=inputs)
            except ValueError as error:  # the SDK's ExecutionInput schema check
                raise WorkflowError(f"The run parameters do not fit the workflow's input: {error}") from error
        return execution.execution_arn

    def state_machine_definition(self, state_machine_arn: str) -> dict[str, Any]:
        """The ASL definition of a deployed state machine (``DescribeStateMachine``)."""
        with aws_errors(f"describe state machine {state_machine_arn}", self.settings):
            described = self.client("stepfunctions").describe_state_machine(stateMachineArn=state_machine_arn)
        return json.loads(described["definition"])

    def list_executions(self, max_items: int = 50) -> list[dict[str, Any]]:
        """``list_executions`` items, newest first, each with ``parameters`` and ``dataset`` added."""

        sfn = self.client("stepfunctions")
        arn = self.state_machine_arn()
        items: list[dict[str, Any]] = []
        with aws_errors("list executions (needs states:ListExecutions)", self.settings):
            pages = sfn.get_paginator("list_executions").paginate(
                stateMachineArn=arn, PaginationConfig={"MaxItems": max_items}
            )
            for page in pages:
                items.extend(page.get("executions", []))
        for item in items:
            item["parameters"], item["dataset"] = self._run_label(item["executionArn"])
        items.sort(key=lambda item: item["startDate"], reverse=True)
        return items

    def _run_label(self, execution_arn: str) -> tuple[dict[str, Any], str]:
        """The run parameters and dataset name an execution was started with (described once)."""
        from pipeline.workflows.clustering import parameters_from_input

        if execution_arn not in self._run_labels:
            execution_input = json.loads(self.describe(execution_arn).get("input") or "{}")
            try:
                parameters = parameters_from_input(execution_input).to_dict()
            except (TypeError, ValueError):
                parameters = {}
            self._run_labels[execution_arn] = (parameters, execution_input.get("DatasetName", ""))
        return self._run_labels[execution_arn]

    def describe(self, execution_arn: str) -> dict[str, Any]:
        """``describe_execution`` of one execution."""
        with aws_errors(f"describe execution {execution_arn}", self.settings):
            response = self.client("stepfunctions").describe_execution(executionArn=execution_arn)
        response.pop("ResponseMetadata", None)
        return response

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every ``get_execution_history`` event, oldest first, across all pages."""
        events: list[dict[str, Any]] = []
        with aws_errors(f"read the history of {execution_arn}", self.settings):
            paginator = self.client("stepfunctions").get_paginator("get_execution_history")
            for page in paginator.paginate(executionArn=execution_arn, reverseOrder=False):
                events.extend(page.get("events", []))
        return events

    def stop(self, execution_arn: str, cause: str = "Stopped by the user") -> None:
        """Stop a running execution (its SageMaker jobs are stopped by Step Functions)."""
        with aws_errors(f"stop execution {execution_arn} (needs states:StopExecution)", self.settings):
            self.client("stepfunctions").stop_execution(executionArn=execution_arn, cause=cause[:32768])

    def results(self, execution_arn: str) -> RunResults:
        """clusters.csv and summary.json of a SUCCEEDED execution, read from S3."""
        from pipeline.storage import S3Storage
        from pipeline.workflows.results import read_run_results

        described = self.describe(execution_arn)
        if described["status"] != "SUCCEEDED":
            raise WorkflowError(
                f"Execution {described.get('name', execution_arn)} is {described['status']}, not SUCCEEDED: "
                "results exist only for succeeded runs."
            )
        execution_input = json.loads(described.get("input") or "{}")
        prefix_uri = execution_input.get("RunPrefix") or join_uri(
            self.settings.prefix_uri, "runs", described["name"]
        )
        return read_run_results(prefix_uri, S3Storage(self.client("s3")))


def _parquet_bytes(path: Path) -> bytes:
    """The dataset as canonical Parquet: a .parquet file as it is, anything else parsed first."""
    if not path.is_file():
        raise WorkflowError(f"Dataset file {path} does not exist: load a dataset on the Data page first.")
    if path.suffix.lower() == ".parquet":
        return path.read_bytes()
    from pipeline.loading.dataset import load_transactions

    buffer = io.BytesIO()
    load_transactions(path).transactions.to_parquet(buffer, index=False)
    return buffer.getvalue()
