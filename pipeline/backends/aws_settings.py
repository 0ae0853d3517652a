"""How the AWS backend is configured, how it makes its boto3 clients, and how AWS errors read.

Credentials come from boto3's standard chain (environment, shared credentials/config files,
``AWS_PROFILE``, instance/container roles); everything else from ``RFM_*`` environment
variables or the ``[aws]`` table of ``.streamlit/secrets.toml`` (the project root's, then the
working directory's), the environment winning. Every client gets connect/read timeouts and
bounded "standard" retries, so no call can hang the app, and every botocore failure can be
turned into a sentence that says what to do (:func:`explain_aws_error`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.backends.client_errors import error_code
from pipeline.config import PROJECT_ROOT
from pipeline.errors import PreflightError, StudioError, WorkflowError

#: The AWS-managed "AWS SDK for pandas" layer (pandas, numpy, pyarrow) for python3.11 x86_64 is
#: ``arn:aws:lambda:<region>:336392948345:layer:AWSSDKPandas-Python311:<version>``; the version
#: differs per region. These versions are the ones of aws-sdk-pandas 3.16.1 as listed on its
#: "AWS Lambda Managed Layers" page (us-east-1's as used in public infrastructure code); they
#: have not been checked against a live account here. Preflight verifies the layer exists.
SDK_PANDAS_LAYER_ACCOUNT = "336392948345"
SDK_PANDAS_LAYER_NAME = "AWSSDKPandas-Python311"
SDK_PANDAS_LAYER_VERSIONS = {
    "us-east-1": 33,
    "af-south-1": 30,
    "ap-northeast-1": 31,
}

SECRETS_RELATIVE_PATH = Path(".streamlit") / "secrets.toml"


def default_layer_arn(region: str | None) -> str | None:
    """The AWS SDK for pandas layer ARN for ``region``, or None where its version is not known."""
    if not region or region not in SDK_PANDAS_LAYER_VERSIONS:
        return None
    version = SDK_PANDAS_LAYER_VERSIONS[region]
    return f"arn:aws:lambda:{region}:{SDK_PANDAS_LAYER_ACCOUNT}:layer:{SDK_PANDAS_LAYER_NAME}:{version}"


@dataclass(frozen=True)
class Setting:
    """Where one setting comes from: its environment variables (first wins) and secrets key."""

    field: str
    env: tuple[str, ...]
    key: str
    help: str

    @property
    def how_to_set(self) -> str:
        """The sentence a user needs: which variable or secrets key sets this value."""
        return f"set {self.env[0]} or `{self.key}` in the [aws] table of .streamlit/secrets.toml"

    @property
    def how_to_set_sentence(self) -> str:
        """``how_to_set`` as a sentence of its own, capitalised and ended ("...is set. Set ...")."""
        return f"{self.how_to_set[:1].upper()}{self.how_to_set[1:]}."


SETTINGS: tuple[Setting, ...] = (
    Setting("region", ("RFM_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"), "region", "AWS region"),
    Setting("bucket", ("RFM_AWS_BUCKET",), "bucket", "S3 bucket for data and results"),
    Setting("prefix", ("RFM_AWS_PREFIX",), "prefix", "key prefix inside the bucket"),
    Setting(
        "sagemaker_role_arn",
        ("RFM_SAGEMAKER_ROLE_ARN",),
        "sagemaker_role_arn",
        "IAM role SageMaker training and batch transform run as",
    ),
    Setting(
        "states_role_arn", ("RFM_STATES_ROLE_ARN",), "states_role_arn", "IAM role the state machine runs as"
    ),
    Setting(
        "lambda_role_arn", ("RFM_LAMBDA_ROLE_ARN",), "lambda_role_arn", "IAM role the Lambda functions run as"
    ),
    Setting(
        "lambda_layer_arn",
        ("RFM_LAMBDA_LAYER_ARN",),
        "lambda_layer_arn",
        "Lambda layer that provides pandas, numpy and pyarrow",
    ),
    Setting(
        "extra_layer_arns",
        ("RFM_LAMBDA_EXTRA_LAYER_ARNS",),
        "extra_layer_arns",
        "further Lambda layers (comma-separated), e.g. one with scikit-learn",
    ),
    Setting("instance_type", ("RFM_AWS_INSTANCE_TYPE",), "instance_type", "SageMaker instance type"),
    Setting("instance_count", ("RFM_AWS_INSTANCE_COUNT",), "instance_count", "SageMaker instance count"),
    Setting("state_machine_name", ("RFM_STATE_MACHINE_NAME",), "state_machine_name", "state machine name"),
    Setting("endpoint_url", ("RFM_AWS_ENDPOINT_URL",), "endpoint_url", "endpoint for every AWS service"),
    Setting("connect_timeout", ("RFM_AWS_CONNECT_TIMEOUT",), "connect_timeout", "seconds to connect"),
    Setting("read_timeout", ("RFM_AWS_READ_TIMEOUT",), "read_timeout", "seconds to wait for an answer"),
    Setting("max_attempts", ("RFM_AWS_MAX_ATTEMPTS",), "max_attempts", "attempts per AWS call"),
    Setting("lambda_timeout", ("RFM_LAMBDA_TIMEOUT",), "lambda_timeout", "Lambda timeout in seconds"),
    Setting("lambda_memory", ("RFM_LAMBDA_MEMORY",), "lambda_memory", "Lambda memory in MB"),
    Setting("profile", ("AWS_PROFILE",), "profile", "named AWS profile"),
)
SETTINGS_BY_FIELD = {setting.field: setting for setting in SETTINGS}

#: Credentials may also sit in the [aws] table (Streamlit Community Cloud has no other place).
CREDENTIAL_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


@dataclass(frozen=True)
class AwsSettings:
    """Everything the AWS backend needs besides credentials; build it with :meth:`from_environment`."""

    region: str | None = None
    bucket: str | None = None
    prefix: str = "rfm-studio"
    sagemaker_role_arn: str | None = None
    states_role_arn: str | None = None
    lambda_role_arn: str | None = None
    lambda_layer_arn: str | None = None
    extra_layer_arns: tuple[str, ...] = ()
    instance_type: str = "ml.m5.large"
    instance_count: int = 1
    state_machine_name: str = "rfm-studio-clustering"
    endpoint_url: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 3
    lambda_timeout: int = 900
    lambda_memory: int = 3008
    profile: str | None = None
    #: Explicit keys from secrets.toml; None means boto3's own credential chain.
    credentials: dict[str, str] | None = field(default=None, repr=False, compare=False)
    #: Where each value came from ("RFM_AWS_BUCKET", ".streamlit/secrets.toml", "default", ...).
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, secrets_paths: list[Path] | None = None
    ) -> AwsSettings:
        """Read the settings: environment variables first, then ``[aws]`` of secrets.toml.

        ``secrets_paths`` defaults to ``.streamlit/secrets.toml`` under the project root and
        under the working directory (the latter wins, as Streamlit's does). Raises
        PreflightError when a file cannot be parsed or a number is not a number.
        """
        env = os.environ if env is None else env
        if secrets_paths is None:
            secrets_paths = [PROJECT_ROOT / SECRETS_RELATIVE_PATH, Path.cwd() / SECRETS_RELATIVE_PATH]
        secrets = _read_secrets(secrets_paths)
        defaults = cls()
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for setting in SETTINGS:
            raw, source = _lookup(setting, env, secrets)
            if raw is None or raw == "":
                sources[setting.field] = "default"
                continue
            values[setting.field] = _convert(setting, raw, getattr(defaults, setting.field), source)
            sources[setting.field] = source
        if "region" not in values:
            region = _boto_default_region(values.get("profile"))
            if region:
                values["region"] = region
                sources["region"] = "AWS config file"
        if "lambda_layer_arn" not in values:
            values["lambda_layer_arn"] = default_layer_arn(values.get("region"))
            sources["lambda_layer_arn"] = "default (AWS SDK for pandas layer)"
        credentials = {key: str(secrets[key][0]) for key in CREDENTIAL_KEYS if key in secrets}
        return cls(**values, credentials=credentials or None, sources=sources)

    @property
    def prefix_uri(self) -> str:
        """``s3://bucket/prefix``: where raw data and runs live."""
        return f"s3://{self.bucket}/{self.prefix.strip('/')}"

    def session(self):
        """A boto3 Session for these settings (explicit secrets keys, profile, region)."""
        import boto3

        kwargs: dict[str, Any] = {"region_name": self.region}
        if self.profile:
            kwargs["profile_name"] = self.profile
        if self.credentials:
            kwargs.update(self.credentials)
        return boto3.Session(**kwargs)

    def client_config(self):
        """botocore Config with this app's timeouts and bounded standard-mode retries."""
        from botocore.config import Config

        return Config(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries={"max_attempts": self.max_attempts, "mode": "standard"},
        )

    def client(self, service: str, session=None):
        """A boto3 client for ``service`` with timeouts, retries and the endpoint override."""
        session = session or self.session()
        return session.client(
            service, region_name=self.region, endpoint_url=self.endpoint_url, config=self.client_config()
        )


def _read_secrets(paths: list[Path]) -> dict[str, tuple[Any, str]]:
    """``key -> (value, file it came from)`` over the ``[aws]`` tables, later files winning."""
    merged: dict[str, tuple[Any, str]] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise PreflightError(f"Cannot read {path}: {error}. Fix the TOML syntax of that file.") from error
        table = data.get("aws", {})
        if not isinstance(table, dict):
            raise PreflightError(f"In {path}, `aws` must be a table: write [aws], then key = value lines.")
        merged.update({key: (value, str(path)) for key, value in table.items()})
    return merged


def _lookup(setting: Setting, env: Mapping[str, str], secrets: dict[str, tuple[Any, str]]) -> tuple[Any, str]:
    for name in setting.env:
        if env.get(name):
            return env[name], name
    return secrets.get(setting.key, (None, "default"))


def _convert(setting: Setting, raw: Any, default: Any, source: str) -> Any:
    if isinstance(default, tuple):
        items = raw if isinstance(raw, list) else str(raw).split(",")
        return tuple(str(item).strip() for item in items if str(item).strip())
    if isinstance(default, bool) or not isinstance(default, int | float):
        return str(raw).strip()
    try:
        value = type(default)(raw)
    except (TypeError, ValueError):
        raise PreflightError(
            f"{setting.help.capitalize()} must be a number, but {source} gives {raw!r}: "
            f"{setting.how_to_set} to a number."
        ) from None
    if value <= 0:
        raise PreflightError(f"{setting.help.capitalize()} must be positive ({source} gives {raw!r}).")
    return value


#: What boto3's default region is read from, besides the profile: a change to any of them
#: (or to the config file itself) reads it again.
_REGION_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


def _boto_default_region(profile: str | None) -> str | None:
    """boto3's default region for ``profile`` (its environment, else the AWS config file).

    Read once per profile, environment and version of the config file: a boto3 session costs
    ~20 ms to make (its event handlers), and the settings are read on every rerun of the
    Executions page (``ui.runs.aws_wanted``), twice a run switch."""
    config = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    try:
        stat = Path(config).expanduser().stat()
        version: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = None
    return _read_boto_region(profile, tuple(os.environ.get(name) for name in _REGION_ENV), version)


@functools.lru_cache(maxsize=16)
def _read_boto_region(
    profile: str | None, environment: tuple[str | None, ...], config_version: object
) -> str | None:
    """boto3's region, for one ``_boto_default_region`` key (the key's other parts only tell
    the cache when to read it again)."""
    try:
        import boto3

        return boto3.Session(profile_name=profile).region_name if profile else boto3.Session().region_name
    except Exception:  # a missing profile is reported by preflight's credentials check
        return None


# --- errors ---------------------------------------------------------------------------------

_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403", "Forbidden"}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "AuthFailure",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "SlowDown"}


def explain_aws_error(error: BaseException, action: str, settings: AwsSettings | None = None) -> str:
    """One sentence saying what went wrong while doing ``action`` and what to do about it."""
    from botocore import exceptions as bx

    region = settings.region if settings else None
    where = (settings.endpoint_url if settings and settings.endpoint_url else None) or (
        f"AWS in {region}" if region else "AWS"
    )
    if isinstance(error, bx.NoCredentialsError | bx.PartialCredentialsError):
        return (
            f"Cannot {action}: no AWS credentials were found. Set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or run `aws configure`), or put aws_access_key_id "
            "and aws_secret_access_key in the [aws] table of .streamlit/secrets.toml."
        )
    if isinstance(error, bx.ProfileNotFound):
        return f"Cannot {action}: {error}. Set AWS_PROFILE to a profile in ~/.aws/config, or unset it."
    if isinstance(error, bx.NoRegionError):
        return f"Cannot {action}: no AWS region is set. {SETTINGS_BY_FIELD['region'].how_to_set_sentence}"
    if isinstance(error, bx.ReadTimeoutError):
        seconds = settings.read_timeout if settings else "the configured"
        return (
            f"Cannot {action}: {where} did not answer within {seconds} s. Check the network or proxy, "
            "or raise RFM_AWS_READ_TIMEOUT."
        )
    if isinstance(error, bx.ConnectTimeoutError | bx.EndpointConnectionError | bx.ConnectionClosedError):
        return (
            f"Cannot {action}: could not connect to {where} ({error}). Check the network, the proxy "
            "settings and the region name (RFM_AWS_REGION)."
        )
    if isinstance(error, bx.ClientError):
        code = error_code(error)
        message = error.response.get("Error", {}).get("Message", "") or str(error)
        if code in _ACCESS_DENIED:
            return (
                f"Cannot {action}: AWS denied access ({message or code}). Grant the identity in use "
                "the permission named there (see docs/AWS.md for the full list)."
            )
        if code in _BAD_CREDENTIALS:
            return (
                f"Cannot {action}: AWS rejected the credentials ({code}). Check AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or the profile) are current and belong to the right account."
            )
        if code in _EXPIRED:
            return f"Cannot {action}: the AWS credentials have expired ({code}). Refresh them and try again."
        if code in _THROTTLED:
            return f"Cannot {action}: AWS is throttling requests ({code}). Wait a minute and try again."
        return f"Cannot {action}: AWS answered {code}: {message}"
    if isinstance(error, bx.BotoCoreError):
        return f"Cannot {action}: {error}"
    return f"Cannot {action}: {type(error).__name__}: {error}"


@contextlib.contextmanager
def aws_errors(
    action: str, settings: AwsSettings | None = None, error_class: type[StudioError] = WorkflowError
) -> Iterator[None]:
    """Turn botocore failures inside the block into ``error_class`` with an actionable message."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise error_class(explain_aws_error(error, action, settings)) from error


ARN_PATTERNS = {
    "role": re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$"),
    "layer": re.compile(r"^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:layer:[\w-]{1,140}:\d+$"),
}
