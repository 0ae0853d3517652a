"""The registry of the studio's workflows: what the backends, the command line and the pages ask.

Adding a workflow is one package under ``pipeline/workflows/`` and one entry in ``WORKFLOWS``.
Importing the registry loads no SDK: a workflow is built only when a backend asks for it.
"""

from __future__ import annotations

from typing import Any

from pipeline.errors import WorkflowError
from pipeline.workflows.clustering.spec import CLUSTERING
from pipeline.workflows.price_regression.spec import PRICE_REGRESSION
from pipeline.workflows.spec import LambdaFunction, WorkflowSpec

#: Every workflow, the default (what the command line and the Launch page start with) first.
WORKFLOWS: tuple[WorkflowSpec, ...] = (CLUSTERING, PRICE_REGRESSION)


def default_workflow() -> WorkflowSpec:
    """The workflow used when none is named."""
    return WORKFLOWS[0]


def get_workflow(name: str | WorkflowSpec | None = None) -> WorkflowSpec:
    """The workflow called ``name`` (the default for None); WorkflowError naming the known ones."""
    if isinstance(name, WorkflowSpec):
        return name
    if name is None:
        return default_workflow()
    for spec in WORKFLOWS:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in WORKFLOWS)
    raise WorkflowError(f"Unknown workflow '{name}': choose one of {known}.")


def workflow_of(params: Any) -> WorkflowSpec:
    """The workflow whose parameter type ``params`` is (each workflow has its own)."""
    for spec in WORKFLOWS:
        if isinstance(params, spec.parameters_type):
            return spec
    raise WorkflowError(
        f"No workflow takes parameters of type {type(params).__name__}: "
        "build them with a workflow's parameters type."
    )


def lambda_functions() -> tuple[LambdaFunction, ...]:
    """Every Lambda function of every workflow, each once, in registry order."""
    seen: dict[str, LambdaFunction] = {}
    for spec in WORKFLOWS:
        for function in spec.lambda_functions:
            seen.setdefault(function.name, function)
    return tuple(seen.values())


#: Function name -> ``"module:function"`` of its handler, for the local engine's Lambda stand-in.
LAMBDA_FUNCTIONS: dict[str, str] = {function.name: function.handler for function in lambda_functions()}
