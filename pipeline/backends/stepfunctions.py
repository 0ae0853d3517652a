"""The one backend core: every workflow of the registry run over a boto3-shaped Step Functions client.

``StepFunctionsBackend`` implements :class:`pipeline.backends.base.Backend` once: building
each workflow with the SDK (once per settings, immutable, shared by every thread), deploying
its state machine only when the deployed definition differs, checking that a run can succeed,
uploading the dataset by content hash, starting, re-running, listing, describing, stopping
executions and reading their results. The ``local`` and ``aws`` backends subclass it and
supply only what differs: their Step Functions client (the local engine's or boto3's), their
storage (the local bucket or S3), how their errors read, deploy and preflight.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from pipeline.backends.base import LaunchDefaults, WorkflowDocuments
from pipeline.backends.client_errors import client_errors, error_code
from pipeline.backends.datasets import check_run_on, dataset_uri, read_dataset
from pipeline.errors import PreflightError, WorkflowError
from pipeline.executions import ExecutionStatus
from pipeline.storage import Storage
from pipeline.workflows.definition_cache import StoredWorkflow, load_or_build
from pipeline.workflows.registry import WORKFLOWS, get_workflow, workflow_of
from pipeline.workflows.runs import execution_input_of, failure_message, new_run_name, run_prefix
from pipeline.workflows.spec import BuildSettings, WorkflowSpec

#: Step Functions' limit on a StopExecution cause.
_MAX_CAUSE = 32768

WorkflowRef = str | WorkflowSpec | None


class StepFunctionsBackend:
    """The Backend protocol over ``stepfunctions_client()`` and ``storage``; see the module docstring.

    Subclasses set ``name``, ``bucket``, ``prefix`` and the class attributes below, and
    implement the methods marked "supplied by each backend".
    """

    name = ""
    #: Seconds between two reads of a running execution.
    poll_interval = 1.0
    #: The most executions listed a workflow (None: all of them).
    max_listed: int | None = None
    #: Whether starting a run creates or updates the state machine (local) or needs a deploy (aws).
    deploys_on_launch = False
    #: How messages name the storage ("the local bucket", "S3").
    storage_label = "the bucket"

    bucket: str | None
    prefix: str

    def __init__(self) -> None:
        self._built_workflows: dict[tuple[str, BuildSettings], StoredWorkflow] = {}
        self._build_lock = threading.Lock()
        #: Run parameters and dataset name by execution ARN: an execution's input never
        #: changes, so each is described once, not on every listing.
        self._run_labels: dict[str, tuple[dict[str, Any], str]] = {}

    # --- supplied by each backend ------------------------------------------------------------

    @property
    def storage(self) -> Storage:
        """Where datasets and run files live."""
        raise NotImplementedError

    def stepfunctions_client(self) -> Any:
        """The boto3-shaped Step Functions client."""
        raise NotImplementedError

    def build_settings(self, spec: WorkflowSpec) -> BuildSettings:
        """What to build ``spec`` for; PreflightError when the backend is not configured for it."""
        raise NotImplementedError

    def placeholder_settings(self, spec: WorkflowSpec) -> BuildSettings:
        """Settings to draw ``spec`` with while ``build_settings`` cannot be had."""
        return BuildSettings()

    def state_machine_name(self, spec: WorkflowSpec) -> str:
        """The name of ``spec``'s state machine on this backend."""
        return spec.state_machine_name

    def explain_error(self, error: BaseException, action: str) -> str | None:
        """A sentence for a client error met while doing ``action``; None re-raises it as it is."""
        return None

    def not_deployed_hint(self) -> str:
        """Where the state machines were looked for, for the "not deployed" message."""
        return ""

    def launch_defaults(self) -> LaunchDefaults:
        """See ``Backend.launch_defaults``."""
        return LaunchDefaults()

    def prepare_to_run(self) -> None:
        """Called first by ``launch`` and ``relaunch``: start what a run will need (nothing here)."""

    # --- building ----------------------------------------------------------------------------

    def built(self, workflow: WorkflowRef = None) -> StoredWorkflow:
        """The workflow built for this backend's settings (once; then shared, never changed).

        Its text comes from the on-disk definition cache when this code and SDK built it before
        (``pipeline.workflows.definition_cache``): then the SDK is not imported at all."""
        spec = get_workflow(workflow)
        return self._built_for(spec, self.build_settings(spec))

    def _built_for(self, spec: WorkflowSpec, settings: BuildSettings) -> StoredWorkflow:
        key = (spec.name, settings)
        with self._build_lock:  # building costs seconds: once, even when asked at once
            built = self._built_workflows.get(key)
            if built is None:
                built = load_or_build(spec, settings)
                self._built_workflows[key] = built
        return built

    def definition(self, workflow: WorkflowRef = None) -> dict[str, Any]:
        """The ASL definition the SDK generates for this backend."""
        return self.built(workflow).definition()

    def cloudformation_template(self, workflow: WorkflowRef = None, description: str | None = None) -> str:
        """The SDK's CloudFormation template (YAML) of the workflow's state machine."""
        spec = get_workflow(workflow)
        return self.built(spec).cloudformation_template(description or _template_description(spec))

    def workflow_documents(self, workflow: WorkflowRef = None) -> WorkflowDocuments:
        """Definition and template to show; built with placeholders while not configured."""
        spec = get_workflow(workflow)
        reason = ""
        try:
            built = self.built(spec)
        except PreflightError as error:
            reason = str(error)
            built = self._built_for(spec, self.placeholder_settings(spec))
        template = built.cloudformation_template(_template_description(spec))
        return WorkflowDocuments(built.definition(), template, reason)

    # --- state machines ----------------------------------------------------------------------

    def _calling(self, action: str, *, execution_arn: str | None = None) -> Any:
        """Client errors inside the block as WorkflowError sentences (``client_errors``)."""
        return client_errors(self.name, action, self.explain_error, execution_arn=execution_arn)

    def find_state_machine(self, name: str) -> str | None:
        """The ARN of the state machine called ``name``, or None when there is none."""
        client = self.stepfunctions_client()
        with self._calling("list state machines (needs states:ListStateMachines)"):
            for page in client.get_paginator("list_state_machines").paginate():
                for machine in page.get("stateMachines", []):
                    if machine["name"] == name:
                        return machine["stateMachineArn"]
        return None

    def ensure_state_machine(self, workflow: WorkflowRef = None) -> tuple[str, str]:
        """Create the workflow's state machine, or update it when its definition or role differ
        from this build's; returns (ARN, "created" | "updated" | "unchanged").

        Each call makes its own SDK ``Workflow``, so concurrent calls never see each other's ARN.
        """
        built = self.built(workflow)
        client = self.stepfunctions_client()
        arn = self.find_state_machine(built.name)
        if arn is None:
            with self._calling("create the state machine (needs states:CreateStateMachine, iam:PassRole)"):
                arn = built.sdk_workflow(client).create()
            if not arn:
                raise WorkflowError(f"Step Functions did not return an ARN for state machine {built.name}.")
            return arn, "created"
        with self._calling(f"describe state machine {arn} (needs states:DescribeStateMachine)"):
            deployed = client.describe_state_machine(stateMachineArn=arn)
        if _loads(deployed.get("definition")) == built.definition() and deployed.get("roleArn") == built.role:
            return arn, "unchanged"
        with self._calling("update the state machine (needs states:UpdateStateMachine, iam:PassRole)"):
            built.sdk_workflow(client, arn).update(definition=built.graph, role=built.role)
        return arn, "updated"

    def deploy_state_machines(self) -> tuple[dict[str, str], list[str]]:
        """``ensure_state_machine`` for every workflow: ARNs by workflow name, one line each."""
        arns, messages = {}, []
        for spec in WORKFLOWS:
            arn, done = self.ensure_state_machine(spec)
            arns[spec.name] = arn
            messages.append(f"State machine {self.state_machine_name(spec)} {done}: {arn}")
        return arns, messages

    def state_machine_arn(self, workflow: WorkflowRef = None) -> str:
        """The deployed state machine's ARN; a WorkflowError telling to deploy when there is none."""
        spec = get_workflow(workflow)
        arn = self.find_state_machine(self.state_machine_name(spec))
        if arn is None:
            raise WorkflowError(self._not_deployed(spec))
        return arn

    def _state_machine_to_start(self, spec: WorkflowSpec) -> str:
        if self.deploys_on_launch:
            return self.ensure_state_machine(spec)[0]
        return self.state_machine_arn(spec)

    def _not_deployed(self, spec: WorkflowSpec) -> str:
        return (
            f"State machine '{self.state_machine_name(spec)}' is not deployed{self.not_deployed_hint()}: "
            "run `python -m pipeline deploy` (or Deploy on the Launch page) first."
        )

    def state_machine_definition(self, state_machine_arn: str) -> dict[str, Any]:
        """The ASL definition of a state machine (what its executions ran); the current build's
        when the state machine is gone but was one of the studio's."""
        client = self.stepfunctions_client()
        with self._calling(f"describe state machine {state_machine_arn}"):
            try:
                described = client.describe_state_machine(stateMachineArn=state_machine_arn)
            except Exception as error:
                spec = self._workflow_named(state_machine_arn.rsplit(":", 1)[-1])
                if spec is None or error_code(error) != "StateMachineDoesNotExist":
                    raise
                return self.definition(spec)
        return _loads(described["definition"])

    def _workflow_named(self, state_machine_name: str) -> WorkflowSpec | None:
        return next((s for s in WORKFLOWS if self.state_machine_name(s) == state_machine_name), None)

    def workflow_of(self, execution_arn: str) -> WorkflowSpec:
        """The registry's workflow whose state machine ran ``execution_arn``."""
        return self._workflow_of_execution(self.describe(execution_arn))

    def _workflow_of_execution(self, description: dict[str, Any]) -> WorkflowSpec:
        name = str(description.get("stateMachineArn", "")).split(":stateMachine:", 1)[-1].split(":")[0]
        spec = self._workflow_named(name)
        if spec is None:
            known = ", ".join(self.state_machine_name(s) for s in WORKFLOWS)
            raise WorkflowError(
                f"Execution {description.get('executionArn')} belongs to state machine '{name}', which is "
                f"not one of the studio's workflows ({known})."
            )
        return spec

    # --- runs --------------------------------------------------------------------------------

    def upload(self, dataset_path: Path) -> str:
        """Store the dataset as canonical Parquet at ``raw/<content hash>.parquet`` (once); its URI."""
        data, _ = read_dataset(Path(dataset_path), need_frame=False)
        return self._store(data)

    def _store(self, data: bytes) -> str:
        if not self.bucket:
            raise PreflightError(f"No bucket is set for the {self.name} backend: run its preflight.")
        uri = dataset_uri(self.bucket, self.prefix, data)
        with self._calling(f"upload the dataset to {uri} (needs s3:PutObject)"):
            if not self.storage.exists(uri):
                self.storage.write_bytes(uri, data)
        return uri

    def launch(self, dataset_path: Path, params: Any, *, dataset_name: str = "") -> str:
        """Check the run can succeed on this data, upload the dataset, start an execution; its ARN.

        The check is the workflow's own (``WorkflowSpec.check``): what the parameters allow,
        then what the first step will find in the data. Nothing is uploaded or started when
        it fails: the WorkflowError says what to change.
        """
        spec = workflow_of(params)
        spec.check(params)  # the parameters alone first: nothing read yet
        self.prepare_to_run()
        data, transactions = read_dataset(Path(dataset_path), need_frame=True)
        check_run_on(spec, params, transactions)
        state_machine_arn = self._state_machine_to_start(spec)
        data_uri = self._store(data)
        return self._start(spec, state_machine_arn, data_uri, params, dataset_name or Path(dataset_path).name)

    def relaunch(self, execution_arn: str) -> str:
        """Start a new execution with the same data and parameters as ``execution_arn``; its ARN.

        The new run gets a new unique name (new SageMaker job names and its own run folder);
        the dataset already stored (``DataUri``) is reused, not uploaded again. The data was
        checked when the first run was launched; the parameters are checked again.
        """
        self.prepare_to_run()
        description = self.describe(execution_arn)
        spec = self._workflow_of_execution(description)
        previous = execution_input_of(description)
        data_uri = previous.get("DataUri")
        if not data_uri:
            raise WorkflowError(
                "That execution's input has no DataUri: it was not started by RFM Workflow Studio, "
                "so launch a new run from the Launch page instead."
            )
        try:
            params = spec.parameters_from_input(previous)
        except (TypeError, ValueError) as error:
            raise WorkflowError(
                f"That execution's parameters cannot be read back ({error}): launch anew."
            ) from None
        spec.check(params)
        state_machine_arn = self._state_machine_to_start(spec)
        with self._calling(f"look for the dataset {data_uri}"):
            stored = self.storage.exists(data_uri)
        if not stored:
            raise WorkflowError(
                f"The dataset of that execution ({data_uri}) is no longer in {self.storage_label}: "
                "load the data again and launch from the Launch page."
            )
        return self._start(spec, state_machine_arn, data_uri, params, previous.get("DatasetName", ""))

    def _start(
        self, spec: WorkflowSpec, state_machine_arn: str, data_uri: str, params: Any, dataset_name: str
    ) -> str:
        """Start an execution under a new unique run name through a per-call SDK Workflow; its ARN."""
        run_name = new_run_name(spec.run_name_prefix)
        inputs = spec.execution_input(
            run_name, params, data_uri, self.bucket, self.prefix, dataset_name=dataset_name
        )
        mismatches = input_mismatches(spec.input_schema, inputs)
        if mismatches:
            raise WorkflowError(
                f"The run parameters do not fit the workflow's input: {'; '.join(mismatches)}."
            )
        client = self.stepfunctions_client()
        with self._calling("start an execution (needs states:StartExecution)"):
            # What the SDK's Workflow.execute sends (its pretty JSON input), without importing it.
            response = client.start_execution(
                stateMachineArn=state_machine_arn, name=run_name, input=json.dumps(inputs, indent=4)
            )
        return response["executionArn"]

    def list_executions(self) -> list[dict[str, Any]]:
        """Executions of every deployed workflow, newest first, with ``workflow``, ``parameters``
        and ``dataset`` added."""
        client = self.stepfunctions_client()
        items: list[dict[str, Any]] = []
        deployed = 0
        config = {"MaxItems": self.max_listed} if self.max_listed else {}
        for spec in WORKFLOWS:
            arn = self.find_state_machine(self.state_machine_name(spec))
            if arn is None:
                continue
            deployed += 1
            listed: list[dict[str, Any]] = []
            with self._calling("list executions (needs states:ListExecutions)"):
                pages = client.get_paginator("list_executions").paginate(
                    stateMachineArn=arn, PaginationConfig=config
                )
                for page in pages:
                    listed.extend(page.get("executions", []))
            for item in listed:
                item["workflow"] = spec.name
                item["parameters"], item["dataset"] = self._run_label(spec, item["executionArn"])
            items += listed
        if not deployed and not self.deploys_on_launch:
            raise WorkflowError(self._not_deployed(WORKFLOWS[0]))
        items.sort(key=lambda item: item["startDate"], reverse=True)
        return items

    def _run_label(self, spec: WorkflowSpec, execution_arn: str) -> tuple[dict[str, Any], str]:
        """The parameters and dataset name an execution was started with (described once)."""
        if execution_arn not in self._run_labels:
            execution_input = execution_input_of(self.describe(execution_arn))
            try:
                parameters = spec.parameters_from_input(execution_input).to_dict()
            except (TypeError, ValueError):
                parameters = {}
            self._run_labels[execution_arn] = (parameters, str(execution_input.get("DatasetName", "")))
        return self._run_labels[execution_arn]

    def describe(self, execution_arn: str) -> dict[str, Any]:
        """``describe_execution`` of one execution."""
        client = self.stepfunctions_client()
        with self._calling(f"describe execution {execution_arn}", execution_arn=execution_arn):
            response = dict(client.describe_execution(executionArn=execution_arn))
        response.pop("ResponseMetadata", None)
        return response

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every ``get_execution_history`` event, oldest first, across all pages."""
        client = self.stepfunctions_client()
        events: list[dict[str, Any]] = []
        with self._calling(f"read the history of {execution_arn}", execution_arn=execution_arn):
            paginator = client.get_paginator("get_execution_history")
            for page in paginator.paginate(executionArn=execution_arn, reverseOrder=False):
                events.extend(page.get("events", []))
        return events

    def stop(self, execution_arn: str, cause: str = "Stopped by the user") -> None:
        """Stop a running execution (Step Functions stops its SageMaker jobs); it ends ABORTED."""
        client = self.stepfunctions_client()
        action = f"stop execution {execution_arn} (needs states:StopExecution)"
        with self._calling(action, execution_arn=execution_arn):
            client.stop_execution(executionArn=execution_arn, cause=cause[:_MAX_CAUSE])

    def results(self, execution_arn: str) -> Any:
        """The results of a SUCCEEDED execution, read from storage by its workflow's reader."""
        description = self.describe(execution_arn)
        status = description["status"]
        if status != ExecutionStatus.SUCCEEDED:
            ended = failure_message(description.get("error"), description.get("cause")).rstrip(".")
            why = f" It ended with {ended}." if description.get("error") or description.get("cause") else ""
            raise WorkflowError(
                f"Execution {description.get('name', execution_arn)} is {status}, not SUCCEEDED: "
                f"results exist only for succeeded runs.{why}"
            )
        spec = self._workflow_of_execution(description)
        location = execution_input_of(description).get("RunPrefix") or run_prefix(
            str(self.bucket), self.prefix, description["name"]
        )
        return spec.read_results(location, self.storage)


def input_mismatches(schema: Any, inputs: dict[str, Any]) -> list[str]:
    """What keeps ``inputs`` from the execution input schema: the SDK's ``ExecutionInput`` check
    (every schema key present, each value of its type), as sentences; empty when it fits."""
    problems = [f"{key} is missing" for key in schema if key not in inputs]
    problems += [
        f"{key} is a {type(inputs[key]).__name__}, not a {kind.__name__}"
        for key, kind in schema.items()
        if key in inputs and not isinstance(inputs[key], kind)
    ]
    return problems


def _template_description(spec: WorkflowSpec) -> str:
    return f"RFM Workflow Studio: {spec.title.lower()} state machine"


def _loads(text: Any) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return None
