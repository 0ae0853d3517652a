"""What a workflow is to the rest of the studio: the record each workflow package fills in.

A workflow package (``pipeline/workflows/clustering/`` is the first) owns its SDK build, its
execution input and parameter type, its "can this run succeed?" check, its run file layout
and its results reader; :class:`WorkflowSpec` gathers them so the backends, the command line
and the pages ask the registry (``pipeline.workflows.registry``) instead of naming a workflow.

Built workflows are immutable (:class:`BuiltWorkflow`): the backends build one per workflow
and settings, share it between threads, and make a fresh ``stepfunctions`` ``Workflow`` per
call that needs a state machine ARN, so no call ever changes what another one sees.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import LOCAL_BUCKET
from pipeline.errors import WorkflowError
from pipeline.workflows.runs import DEFAULT_PREFIX
from pipeline.workflows.sdk import (
    DEFAULT_REGION,
    PLACEHOLDER_SAGEMAKER_ROLE,
    PLACEHOLDER_WORKFLOW_ROLE,
    stepfunctions_client,
)

#: The SDK fills its CloudFormation template into one module-level dict (a shallow copy of
#: its base template), so two templates built at once could mix: build them one at a time.
_TEMPLATE_LOCK = threading.Lock()


@dataclass(frozen=True)
class LambdaFunction:
    """One Lambda function a workflow invokes: its name and its handler in ``lambdas/``."""

    name: str
    #: ``"package.module:function"``, e.g. ``"lambdas.prepare_rfm.handler:lambda_handler"``.
    handler: str

    @property
    def handler_file(self) -> str:
        """The handler's file relative to the project root (``lambdas/prepare_rfm/handler.py``)."""
        return self.handler.partition(":")[0].replace(".", "/") + ".py"


@dataclass(frozen=True)
class BuildSettings:
    """Where a workflow is built for: the defaults are the local backend's (placeholder roles)."""

    region: str = DEFAULT_REGION
    bucket: str = LOCAL_BUCKET
    prefix: str = DEFAULT_PREFIX
    sagemaker_role_arn: str = PLACEHOLDER_SAGEMAKER_ROLE
    workflow_role_arn: str = PLACEHOLDER_WORKFLOW_ROLE
    #: The state machine's name; None for the workflow's own default.
    state_machine_name: str | None = None


@dataclass(frozen=True, eq=False)
class BuiltWorkflow:
    """A workflow built with the SDK, never changed after building.

    ``graph`` is the SDK's ``Graph`` of the steps; every ``Workflow`` made from it produces the
    same definition text. Use :meth:`sdk_workflow` for each create, update or execute.
    """

    name: str
    role: str
    region: str
    graph: Any
    execution_input: Any
    comment: str
    tags: tuple[dict[str, str], ...] = field(default=())

    def definition_json(self) -> str:
        """The definition as the SDK sends it to ``CreateStateMachine`` (pretty JSON)."""
        return self.graph.to_json(pretty=True)

    def definition(self) -> dict[str, Any]:
        """The ASL definition as a fresh dict (the caller may change it)."""
        return json.loads(self.definition_json())

    def sdk_workflow(self, client: Any = None, state_machine_arn: str | None = None) -> Any:
        """A new ``stepfunctions.workflow.Workflow`` of this definition, bound to ``client``
        (a boto3 Step Functions client for the region when None) and ``state_machine_arn``."""
        from stepfunctions.workflow import Workflow

        return Workflow(
            name=self.name,
            definition=self.graph,
            role=self.role,
            tags=[dict(tag) for tag in self.tags],
            execution_input=self.execution_input,
            comment=self.comment,
            client=client if client is not None else stepfunctions_client(self.region),
            state_machine_arn=state_machine_arn,
        )

    def cloudformation_template(self, description: str) -> str:
        """The SDK's CloudFormation template (YAML) of the state machine."""
        workflow = self.sdk_workflow()
        with _TEMPLATE_LOCK:
            return workflow.get_cloudformation_template(description)


@dataclass(frozen=True)
class WorkflowSpec:
    """One workflow of the studio, as the registry lists it.

    The callables come from the workflow's package; none imports the SDK until ``build`` runs.
    ``data_facts`` and ``problems`` are the one "can this run succeed?" check: the backends run
    it before starting an execution, the Launch page before enabling Launch, the command line
    before launching, and the workflow's Lambda functions apply the same rules to what they find.
    """

    #: Short name (``clustering``), as the command line and the run listing show it.
    name: str
    title: str
    #: One line: what the workflow does.
    purpose: str
    #: Default state machine name on both backends.
    state_machine_name: str
    #: Start of every run (execution) name: ``<prefix>-YYYYmmdd-HHMMSS-<hex>``.
    run_name_prefix: str
    #: The dataclass of the run parameters (frozen; its defaults are the Launch page's).
    parameters_type: type
    lambda_functions: tuple[LambdaFunction, ...]
    #: Execution input key -> type, as the SDK's ExecutionInput checks it.
    input_schema: Mapping[str, type]
    #: ``build(settings) -> BuiltWorkflow`` (imports the SDK).
    build: Callable[[BuildSettings], BuiltWorkflow]
    #: ``execution_input(run_name, params, data_uri, bucket, prefix, *, dataset_name) -> dict``.
    execution_input: Callable[..., dict[str, Any]]
    #: ``parameters_from_input(execution_input) -> params`` (ValueError/TypeError if unreadable).
    parameters_from_input: Callable[[Mapping[str, Any]], Any]
    #: ``data_scope(params)``: the part of the parameters that decides which data a run sees.
    data_scope: Callable[[Any], Hashable]
    #: ``data_facts(clean_transactions, scope)``: what the run's first step will find in the data
    #: (the app's pages pass the dataset's ``TransactionsIndex`` instead of the frame: same facts).
    data_facts: Callable[[Any, Any], Any]
    #: ``problems(params, facts or None) -> list of sentences``: empty when the run can succeed.
    problems: Callable[[Any, Any], list[str]]
    #: ``read_results(run_prefix, storage)``: a succeeded run's results.
    read_results: Callable[[str, Any], Any]
    #: ``add_arguments(parser)``: the command line's options for these parameters.
    add_arguments: Callable[[Any], None]
    #: ``parameters_from_arguments(args) -> params``: the parameters those options give.
    parameters_from_arguments: Callable[[Any], Any]
    #: ``headline(results) -> dict``: the figures ``python -m pipeline results`` prints (JSON values).
    headline: Callable[[Any], dict[str, Any]]
    #: The SageMaker built-in algorithms it trains with, ``(framework, version or None)`` as
    #: ``sagemaker.image_uris.retrieve`` takes them: the aws preflight checks each is in the region.
    algorithms: tuple[tuple[str, str | None], ...]

    def check(self, params: Any, facts: Any = None) -> None:
        """Raise ``WorkflowError`` with every problem when a run with ``params`` cannot succeed."""
        problems = self.problems(params, facts)
        if problems:
            raise WorkflowError(" ".join(problems))

    def facts_for(self, clean: Any, params: Any) -> Any:
        """``data_facts`` of the clean transactions for these parameters."""
        return self.data_facts(clean, self.data_scope(params))
