"""The two backends (local and aws) behind one interface the pages use."""

from __future__ import annotations

from pipeline.backends.base import Backend
from pipeline.errors import WorkflowError

#: Backend names the app and the command line accept.
BACKENDS = ("local", "aws")


def get_backend(name: str = "local") -> Backend:
    """The backend called ``name`` ("local" or "aws").

    Each backend module is imported only when asked for, so the local path never loads the
    aws backend's settings and the aws path never starts the local engine.
    """
    key = (name or "local").strip().lower()
    if key == "local":
        from pipeline.backends.local import LocalBackend

        return LocalBackend()
    if key == "aws":
        from pipeline.backends.aws import AwsBackend

        return AwsBackend()
    raise WorkflowError(f"Unknown backend '{name}': choose one of {', '.join(BACKENDS)}.")


def backend_for_arn(execution_arn: str) -> str:
    """Which backend an execution ARN belongs to: the local engine uses the region ``local``."""
    return "local" if ":states:local:" in execution_arn else "aws"
