"""The two backends (local and aws) behind one interface the pages use."""

from __future__ import annotations

from pipeline.backends.base import Backend
from pipeline.errors import WorkflowError

#: Backend names the app and the command line accept.
BACKENDS = ("local", "aws")


def get_backend(name: str = "local", *, single_run: bool = False) -> Backend:
    """The backend called ``name`` ("local" or "aws").

    Each backend module is imported only when asked for, so the local path never loads the
    aws backend's settings and the aws path never starts the local engine. ``single_run`` is
    for a command that starts one run and exits: the local backend then starts a plain worker
    process for it, because a warm worker server's imports (seconds) only pay off over the
    several runs of a long-lived app.
    """
    key = (name or "local").strip().lower()
    if key == "local":
        from pipeline.backends.local import LocalBackend

        if single_run:
            from pipeline.local.client import LocalStepFunctionsClient

            return LocalBackend(client=LocalStepFunctionsClient(mode="process"))
        return LocalBackend()
    if key == "aws":
        from pipeline.backends.aws import AwsBackend

        return AwsBackend()
    raise WorkflowError(f"Unknown backend '{name}': choose one of {', '.join(BACKENDS)}.")


def backend_for_arn(execution_arn: str) -> str:
    """Which backend an execution ARN belongs to: the local engine uses the region ``local``."""
    return "local" if ":states:local:" in execution_arn else "aws"
