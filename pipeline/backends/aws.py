"""The aws backend: the SDK-built workflows on AWS Step Functions, Lambda and SageMaker.

Everything but the clients, the storage, deploy and preflight is the backend core
(:mod:`pipeline.backends.stepfunctions`). The clients are boto3's, each with timeouts and
bounded retries (:mod:`pipeline.backends.aws_settings`); the storage is S3. Deploying packages
the Lambda handlers (:mod:`pipeline.backends.aws_deploy`), then creates each state machine
through the SDK's ``Workflow.create()``, or ``update()`` when its definition changed. A run
starts only on a deployed state machine: launching never deploys on AWS.
"""

from __future__ import annotations

import threading
from typing import Any

from pipeline.backends.aws_deploy import LAMBDA_FUNCTIONS, build_package, deploy_function
from pipeline.backends.aws_preflight import run_preflight
from pipeline.backends.aws_settings import SETTINGS_BY_FIELD, AwsSettings, aws_errors, explain_aws_error
from pipeline.backends.base import Check, DeployResult, LaunchDefaults
from pipeline.backends.stepfunctions import StepFunctionsBackend
from pipeline.errors import PreflightError
from pipeline.storage import Storage
from pipeline.workflows.registry import WORKFLOWS, default_workflow
from pipeline.workflows.sdk import DEFAULT_REGION
from pipeline.workflows.spec import BuildSettings, WorkflowSpec

#: Settings every build needs; deploying needs the Lambda ones too.
BUILD_SETTINGS = ("region", "bucket", "sagemaker_role_arn", "states_role_arn")
DEPLOY_SETTINGS = (*BUILD_SETTINGS, "lambda_role_arn", "lambda_layer_arn")


class AwsBackend(StepFunctionsBackend):
    """The Backend protocol on a real (or moto-mocked) AWS account."""

    name = "aws"
    #: Each poll is an API call, and SageMaker jobs take minutes anyway.
    poll_interval = 5.0
    #: Listing describes each new execution once (one API call each): keep it bounded.
    max_listed = 50
    storage_label = "S3"

    def __init__(self, settings: AwsSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AwsSettings.from_environment()
        self.bucket = self.settings.bucket
        self.prefix = self.settings.prefix
        self._session = None
        self._clients: dict[str, Any] = {}
        self._storage: Storage | None = None
        # boto3 sessions are not thread-safe, and the app's sessions share this backend.
        self._clients_lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """One cached boto3 client a service, with the settings' timeouts and retries."""
        with self._clients_lock:
            if service not in self._clients:
                with aws_errors(f"create an AWS {service} client", self.settings, PreflightError):
                    if self._session is None:
                        self._session = self.settings.session()
                    self._clients[service] = self.settings.client(service, self._session)
            return self._clients[service]

    def require(self, *fields: str) -> None:
        """Raise PreflightError naming every missing setting among ``fields`` and how to set it."""
        missing = [SETTINGS_BY_FIELD[f] for f in fields if not getattr(self.settings, f)]
        if missing:
            lines = "; ".join(f"{s.help}: {s.how_to_set}" for s in missing)
            raise PreflightError(f"The aws backend is not configured. Missing {lines}.")

    # --- what the core asks -----------------------------------------------------------------

    @property
    def storage(self) -> Storage:
        """S3, through this backend's client."""
        if self._storage is None:
            from pipeline.storage import S3Storage

            self.require("region", "bucket")
            self._storage = S3Storage(self.client("s3"))
        return self._storage

    def stepfunctions_client(self) -> Any:
        """boto3's Step Functions client for the settings' region."""
        return self.client("stepfunctions")

    def build_settings(self, spec: WorkflowSpec) -> BuildSettings:
        """The settings' region, bucket, prefix, roles and state machine name."""
        self.require(*BUILD_SETTINGS)
        s = self.settings
        return BuildSettings(
            region=str(s.region),
            bucket=str(s.bucket),
            prefix=s.prefix,
            sagemaker_role_arn=str(s.sagemaker_role_arn),
            workflow_role_arn=str(s.states_role_arn),
            state_machine_name=self.state_machine_name(spec),
        )

    def placeholder_settings(self, spec: WorkflowSpec) -> BuildSettings:
        """The settings' region (when set) and placeholders for the rest."""
        return BuildSettings(region=self.settings.region or DEFAULT_REGION)

    def state_machine_name(self, spec: WorkflowSpec) -> str:
        """``RFM_STATE_MACHINE_NAME`` names the default workflow's; the others keep their own."""
        if spec is default_workflow():
            return self.settings.state_machine_name
        return spec.state_machine_name

    def explain_error(self, error: BaseException, action: str) -> str | None:
        """botocore's failures as a sentence that says what to do (``explain_aws_error``)."""
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, BotoCoreError | ClientError):
            return explain_aws_error(error, action, self.settings)
        return None

    def not_deployed_hint(self) -> str:
        """The region searched (nothing when none is set: never " in None")."""
        return f" in {self.settings.region}" if self.settings.region else ""

    def launch_defaults(self) -> LaunchDefaults:
        """The instance type and count of the settings; they decide what SageMaker runs."""
        return LaunchDefaults(
            self.settings.instance_type, self.settings.instance_count, instances_matter=True
        )

    # --- deploy and preflight ---------------------------------------------------------------

    def preflight(self) -> list[Check]:
        """See :func:`pipeline.backends.aws_preflight.run_preflight`."""
        return run_preflight(self.settings)

    def deploy(self) -> DeployResult:
        """Create or update every workflow's Lambda functions, then its state machine (when changed)."""
        self.require(*DEPLOY_SETTINGS)
        functions, messages = [], []
        lambda_client = self.client("lambda")
        for name in LAMBDA_FUNCTIONS:
            package = build_package(name)
            missing = package.missing_on_lambda(extra_layers=bool(self.settings.extra_layer_arns))
            if missing:
                messages.append(
                    f"Warning: {name} imports {', '.join(missing)}, which the pandas layer lacks: "
                    "add a layer with them in RFM_LAMBDA_EXTRA_LAYER_ARNS."
                )
            arn, done = deploy_function(lambda_client, self.settings, package)
            functions.append(arn)
            messages.append(
                f"Lambda {name} {done} ({len(package.zip_bytes) / 1024:.0f} KiB, {len(package.files)} files)."
            )
        arns, machine_messages = self.deploy_state_machines()
        return DeployResult(
            state_machine_arn=arns[WORKFLOWS[0].name],
            functions=functions,
            messages=messages + machine_messages,
            state_machines=arns,
        )
