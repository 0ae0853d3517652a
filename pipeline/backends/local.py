"""The local backend: the SDK-built workflows run by the embedded engine, no AWS account needed.

Everything but the client, the storage, deploy and preflight is the backend core
(:mod:`pipeline.backends.stepfunctions`). The client is the engine's
``LocalStepFunctionsClient`` (boto3's Step Functions API), used only through that API; the
storage is the local bucket (``data_home()/s3``) with the S3 layout the AWS path uses.
Executions run in background worker processes, so a launch returns at once and survives the
Streamlit script run that started it. Starting a run creates the state machine, or updates it
when its definition changed.
"""

from __future__ import annotations

from typing import Any

from pipeline.backends.base import Check, DeployResult
from pipeline.backends.client_errors import error_code, error_message
from pipeline.backends.stepfunctions import StepFunctionsBackend
from pipeline.config import LOCAL_BUCKET, local_bucket_root
from pipeline.storage import LocalBucketStorage, Storage
from pipeline.workflows.registry import WORKFLOWS
from pipeline.workflows.runs import DEFAULT_PREFIX
from pipeline.workflows.spec import BuildSettings, WorkflowSpec


class LocalBackend(StepFunctionsBackend):
    """The ``Backend`` of pipeline/backends/base.py on this machine."""

    name = "local"
    #: The local engine is cheap to ask (a read of the run store): a run of the sample takes ~1 s,
    #: so a half-second poll would add a noticeable share to `run --wait`.
    poll_interval = 0.2
    deploys_on_launch = True
    storage_label = "the local bucket"

    def __init__(
        self,
        client: Any = None,
        *,
        storage: Storage | None = None,
        bucket: str = LOCAL_BUCKET,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        """``client`` defaults to a warm-mode ``LocalStepFunctionsClient`` on the run store of
        the data directory (a worker process a run, forked by a pre-imported server); tests
        pass a thread-mode one."""
        super().__init__()
        if client is None:
            from pipeline.local.client import LocalStepFunctionsClient

            client = LocalStepFunctionsClient(mode="warm")
        self.client = client
        self._storage = storage or LocalBucketStorage(local_bucket_root())
        self.bucket: str = bucket
        self.prefix = prefix

    @property
    def storage(self) -> Storage:
        """The local bucket."""
        return self._storage

    def stepfunctions_client(self) -> Any:
        """The local engine's client."""
        return self.client

    def build_settings(self, spec: WorkflowSpec) -> BuildSettings:
        """The local bucket and prefix; placeholder role ARNs (the engine needs none)."""
        return BuildSettings(bucket=self.bucket, prefix=self.prefix)

    def placeholder_settings(self, spec: WorkflowSpec) -> BuildSettings:
        """The same as ``build_settings``: the local backend is always configured."""
        return self.build_settings(spec)

    def prepare_to_run(self) -> None:
        """Start the engine's warm worker server (if it has one) while the run is prepared."""
        warm_up = getattr(self.client, "warm_up", None)
        if warm_up is not None:
            warm_up()

    def explain_error(self, error: BaseException, action: str) -> str | None:
        """The engine's client errors (botocore ClientErrors) as a sentence; anything else raised."""
        code = error_code(error)
        if not code:
            return None
        return f"Cannot {action}: {code}: {error_message(error)}"

    def preflight(self) -> list[Check]:
        """The local backend needs a writable data directory and definitions the engine accepts."""
        self.prepare_to_run()  # the pages check health first: the first run finds the server warm
        checks = []
        try:
            probe = f"s3://{self.bucket}/{self.prefix}/.preflight"
            self.storage.write_bytes(probe, b"ok")
            checks.append(
                Check("Local bucket", True, f"Files go to s3://{self.bucket}/{self.prefix}/ locally.")
            )
        except OSError as error:
            checks.append(
                Check("Local bucket", False, f"Cannot write the local bucket ({error}): set RFM_STUDIO_HOME.")
            )
        from pipeline.local.asl.validated import validate_once

        try:
            for spec in WORKFLOWS:
                validate_once(self.definition(spec))
            checks.append(
                Check("Workflow definition", True, "The SDK's definition passes the engine's checks.")
            )
        except Exception as error:
            checks.append(Check("Workflow definition", False, f"The workflow cannot be built: {error}"))
        return checks

    def deploy(self) -> DeployResult:
        """Create each workflow's state machine in the local engine, or update a changed one."""
        arns, messages = self.deploy_state_machines()
        return DeployResult(state_machine_arn=arns[WORKFLOWS[0].name], messages=messages, state_machines=arns)
