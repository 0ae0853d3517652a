"""The interface both backends implement, so the pages never care which one ran a workflow.

Execution status and history use the shapes of the Step Functions API (``describe_execution``,
``list_executions`` items, ``get_execution_history`` events), so one code path draws them.
Both backends are :class:`pipeline.backends.stepfunctions.StepFunctionsBackend`: they differ
only in their Step Functions client, their storage, deploy and preflight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.workflows.spec import WorkflowSpec


@dataclass(frozen=True)
class Check:
    """One preflight or health check: what was checked, whether it passed, and what to do."""

    name: str
    ok: bool
    message: str


@dataclass
class DeployResult:
    """What a deploy did: the (first) state machine's ARN, the Lambda ARNs, one line a change."""

    state_machine_arn: str
    functions: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: Every workflow's state machine ARN, by workflow name.
    state_machines: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LaunchDefaults:
    """What the Launch page starts the SageMaker resources at, and whether they matter here."""

    instance_type: str = "ml.m5.large"
    instance_count: int = 1
    #: False on the local engine, which runs every job on this machine whatever is chosen.
    instances_matter: bool = False


@dataclass(frozen=True)
class WorkflowDocuments:
    """A workflow as the Launch page shows it: its definition and CloudFormation template.

    ``placeholder_reason`` says why they were built with placeholder settings (the aws
    backend is not configured yet), else "".
    """

    definition: dict[str, Any]
    template: str
    placeholder_reason: str = ""


class Backend(Protocol):
    """What the pages and the command line call; ``local`` and ``aws`` implement it.

    ``workflow`` arguments take a registry name or spec; None is the registry's default.
    """

    name: str
    #: Seconds between two reads of a running execution (each read is an API call on AWS).
    poll_interval: float

    def preflight(self) -> list[Check]:
        """Every check that must pass before launching, each with an actionable message."""
        ...

    def deploy(self) -> DeployResult:
        """Create the state machines, or update those whose definition changed (and on AWS
        the Lambda functions)."""
        ...

    def launch_defaults(self) -> LaunchDefaults:
        """The instance type and count a launch starts from, and whether they matter."""
        ...

    def definition(self, workflow: str | WorkflowSpec | None = None) -> dict[str, Any]:
        """The ASL definition the SDK generates for this backend."""
        ...

    def cloudformation_template(
        self, workflow: str | WorkflowSpec | None = None, description: str | None = None
    ) -> str:
        """The SDK's CloudFormation template (YAML) of the workflow's state machine."""
        ...

    def workflow_documents(self, workflow: str | WorkflowSpec | None = None) -> WorkflowDocuments:
        """Definition and template to show, with placeholders while the backend is not configured."""
        ...

    def upload(self, dataset_path: Path) -> str:
        """Store the dataset as canonical Parquet under its content hash (once); its URI."""
        ...

    def launch(self, dataset_path: Path, params: Any, *, dataset_name: str = "") -> str:
        """Check the run can succeed, upload the dataset, start an execution; its ARN.

        The workflow is the one whose parameters type ``params`` is.
        """
        ...

    def relaunch(self, execution_arn: str) -> str:
        """Start a new execution (new unique name) with the same DataUri and parameters; its ARN."""
        ...

    def state_machine_definition(self, state_machine_arn: str) -> dict[str, Any]:
        """The ASL definition of a deployed state machine (the graph an execution ran)."""
        ...

    def list_executions(self) -> list[dict[str, Any]]:
        """``list_executions`` items of every workflow, newest first, each with extra
        ``workflow``, ``parameters`` and ``dataset``."""
        ...

    def describe(self, execution_arn: str) -> dict[str, Any]:
        """``describe_execution`` of one execution."""
        ...

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """All ``get_execution_history`` events, oldest first."""
        ...

    def stop(self, execution_arn: str, cause: str = "Stopped by the user") -> None:
        """Stop a running execution; it ends ABORTED."""
        ...

    def workflow_of(self, execution_arn: str) -> WorkflowSpec:
        """The registry's workflow whose state machine ran the execution."""
        ...

    def results(self, execution_arn: str) -> Any:
        """The outputs of a SUCCEEDED execution, as its workflow reads them (WorkflowError otherwise)."""
        ...
