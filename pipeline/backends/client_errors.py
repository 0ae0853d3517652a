"""Step Functions client errors (boto3's and the local engine's, both botocore ClientErrors)
as sentences: what failed, and what to do."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from pipeline.errors import StudioError, WorkflowError

#: The codes of an execution ARN that names no execution.
NO_SUCH_EXECUTION = frozenset({"ExecutionDoesNotExist", "InvalidArn"})


def error_code(error: BaseException | None) -> str:
    """The AWS error code of a botocore ClientError (the local client's too); "" otherwise."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def error_message(error: BaseException) -> str:
    """The message of a ClientError as AWS gave it (``str(error)`` for anything else)."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Message", "")) or str(error)


@contextlib.contextmanager
def client_errors(
    backend_name: str,
    action: str,
    explain: Callable[[BaseException, str], str | None],
    *,
    execution_arn: str | None = None,
) -> Iterator[None]:
    """Turn client errors inside the block into WorkflowError sentences.

    An unknown ``execution_arn`` reads "No <backend> execution ... Pick one from the list.";
    other errors read as ``explain(error, action)`` says, or are raised as they are when it
    returns None. StudioErrors pass through.
    """
    try:
        yield
    except StudioError:
        raise
    except Exception as error:
        code = error_code(error)
        if execution_arn is not None and code in NO_SUCH_EXECUTION:
            raise WorkflowError(
                f"No {backend_name} execution {execution_arn} ({code}: {error_message(error)}). "
                "Pick one from the list."
            ) from None
        explained = explain(error, action)
        if explained is None:
            raise
        raise WorkflowError(explained) from error
