"""Errors of the local engine, named as AWS Step Functions names them.

A state fails with a ``StatesError`` carrying an error name (``States.TaskFailed``,
``States.Runtime``, ``States.NoChoiceMatched``, ``States.Timeout``, or a Lambda exception's
type name) and a cause string: exactly what Retry/Catch match on and what the execution
history records.
"""

from __future__ import annotations

# Error names of the States language (the ones the engine raises itself).
RUNTIME = "States.Runtime"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
ALL = "States.ALL"


class StatesError(Exception):
    """A state failure as Step Functions reports it: an error name and a cause."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class DefinitionError(ValueError):
    """The state machine definition is invalid; nothing was started.

    ``problems`` lists every problem found, each a sentence that names the state.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("Invalid state machine definition: " + "; ".join(self.problems))
