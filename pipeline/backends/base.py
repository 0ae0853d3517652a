"""The interface both backends implement, so the pages never care which one ran a workflow.

Execution status and history use the shapes of the Step Functions API (``describe_execution``,
``list_executions`` items, ``get_execution_history`` events), so one code path draws them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd


@dataclass(frozen=True)
class RunParameters:
    """What the user chooses for one clustering run."""

    k: int = 5
    quality_threshold: float = 0.25
    as_of: dt.date | None = None
    country: str | None = None
    instance_type: str = "ml.m5.large"
    instance_count: int = 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data


@dataclass(frozen=True)
class Check:
    """One preflight or health check: what was checked, whether it passed, and what to do."""

    name: str
    ok: bool
    message: str


@dataclass
class RunResults:
    """A finished run's outputs: one row a customer (with its cluster) and the summary."""

    clusters: pd.DataFrame
    summary: dict[str, Any]
    location: str = ""


@dataclass
class DeployResult:
    state_machine_arn: str
    functions: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


class Backend(Protocol):
    """What the pages and the command line call; ``local`` and ``aws`` implement it."""

    name: str

    def preflight(self) -> list[Check]:
        """Every check that must pass before launching, each with an actionable message."""
        ...

    def deploy(self) -> DeployResult:
        """Create or update the state machine (and, on AWS, the Lambda functions)."""
        ...

    def definition(self) -> dict[str, Any]:
        """The ASL definition the SDK generates for this backend."""
        ...

    def launch(self, dataset_path: Path, params: RunParameters, *, dataset_name: str = "") -> str:
        """Upload the dataset (canonical Parquet), start an execution, return its ARN."""
        ...

    def relaunch(self, execution_arn: str) -> str:
        """Start a new execution (new unique name) with the same DataUri and parameters; its ARN."""
        ...

    def state_machine_definition(self, state_machine_arn: str) -> dict[str, Any]:
        """The ASL definition of a deployed state machine (the graph an execution ran)."""
        ...

    def list_executions(self) -> list[dict[str, Any]]:
        """``list_executions`` items, newest first, each with extra ``parameters`` and ``dataset``."""
        ...

    def describe(self, execution_arn: str) -> dict[str, Any]:
        """``describe_execution`` of one execution."""
        ...

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """All ``get_execution_history`` events, oldest first."""
        ...

    def stop(self, execution_arn: str, cause: str = "Stopped by the user") -> None: ...

    def results(self, execution_arn: str) -> RunResults:
        """The outputs of a SUCCEEDED execution (raises WorkflowError otherwise)."""
        ...
