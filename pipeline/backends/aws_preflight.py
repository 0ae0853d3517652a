"""Preflight of the AWS backend: can this machine deploy and run the workflow, and if not, why.

Each check returns a :class:`~pipeline.backends.base.Check` whose message names the exact
environment variable or secrets key to set, or the permission to grant. Expected failures
(no credentials, access denied, missing bucket, unreachable or silent endpoint) never raise:
they become failed checks. Checks that need AWS are skipped, and say so, until the
credentials work, so a dead endpoint costs one timeout rather than one per check.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.backends.aws_deploy import LAMBDA_FUNCTIONS, build_package
from pipeline.backends.aws_settings import (
    ARN_PATTERNS,
    SETTINGS_BY_FIELD,
    AwsSettings,
    explain_aws_error,
)
from pipeline.backends.base import Check
from pipeline.backends.client_errors import error_code
from pipeline.errors import StudioError
from pipeline.workflows.registry import WORKFLOWS

ROLE_SETTINGS = {
    "sagemaker_role_arn": ("SageMaker role", "sagemaker.amazonaws.com"),
    "states_role_arn": ("Step Functions role", "states.amazonaws.com"),
    "lambda_role_arn": ("Lambda role", "lambda.amazonaws.com"),
}
_NOT_FOUND = {"NoSuchEntity", "ResourceNotFoundException", "404", "NoSuchBucket", "NotFound"}
_DENIED = {"AccessDenied", "AccessDeniedException", "403", "Forbidden"}
_SKIPPED = "Not checked yet: fix the credentials check first."


def _missing(field: str) -> str:
    setting = SETTINGS_BY_FIELD[field]
    return f"No {setting.help} is set: {setting.how_to_set}."


def check_region(settings: AwsSettings) -> Check:
    """A region is set, Step Functions exists there, and SageMaker publishes there the built-in
    algorithm image of every workflow (KMeans for clustering, XGBoost 1.7-1 for price regression)."""
    if not settings.region:
        return Check("Region", False, _missing("region"))
    import boto3
    from sagemaker import image_uris

    regions = set(boto3.Session().get_available_regions("stepfunctions"))
    regions |= set(boto3.Session().get_available_regions("stepfunctions", partition_name="aws-cn"))
    if settings.region not in regions:
        return Check(
            "Region",
            False,
            f"'{settings.region}' is not an AWS region with Step Functions: set RFM_AWS_REGION to one, "
            "e.g. us-east-1.",
        )
    missing = []
    for spec in WORKFLOWS:
        for framework, version in spec.algorithms:
            try:
                image_uris.retrieve(framework, settings.region, version=version)
            except ValueError:
                name = f"{framework} {version}" if version else framework
                missing.append(f"{name} (the {spec.name} workflow)")
    if missing:
        return Check(
            "Region",
            False,
            f"SageMaker's built-in {', '.join(missing)} is not available in {settings.region}: "
            "choose another region.",
        )
    return Check("Region", True, f"{settings.region} (from {settings.sources.get('region', 'default')}).")


def check_credentials(settings: AwsSettings, session) -> tuple[Check, str | None]:
    """``sts:GetCallerIdentity`` works; returns the check and the account id (None on failure)."""
    try:
        identity = settings.client("sts", session).get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        return Check(
            "Credentials", False, explain_aws_error(error, "check the AWS credentials", settings)
        ), None
    return Check("Credentials", True, f"Signed in as {identity['Arn']}."), identity["Account"]


def check_bucket(settings: AwsSettings, session) -> Check:
    """The bucket exists and this identity may use it (``s3:ListBucket`` via HeadBucket)."""
    if not settings.bucket:
        return Check("Bucket", False, _missing("bucket"))
    bucket = settings.bucket
    try:
        response = settings.client("s3", session).head_bucket(Bucket=bucket)
    except ClientError as error:
        code = error_code(error)
        if code in _NOT_FOUND:
            return Check(
                "Bucket",
                False,
                f"Bucket '{bucket}' does not exist: create it (aws s3 mb s3://{bucket}"
                f"{f' --region {settings.region}' if settings.region else ''}) or set RFM_AWS_BUCKET "
                "to an existing bucket.",
            )
        if code in _DENIED:
            return Check(
                "Bucket",
                False,
                f"Access to bucket '{bucket}' is denied: grant s3:ListBucket on arn:aws:s3:::{bucket} and "
                f"s3:GetObject, s3:PutObject on arn:aws:s3:::{bucket}/{settings.prefix}/*.",
            )
        if code in {"301", "PermanentRedirect"}:
            return _bucket_elsewhere(settings, _bucket_region(error.response))
        return Check("Bucket", False, explain_aws_error(error, f"reach bucket '{bucket}'", settings))
    except BotoCoreError as error:
        return Check("Bucket", False, explain_aws_error(error, f"reach bucket '{bucket}'", settings))
    # boto3 follows S3's redirect, so HeadBucket succeeds from any region; but SageMaker's
    # training and transform jobs only read and write a bucket of their own region.
    where = _bucket_region(response)
    if where and settings.region and where != settings.region:
        return _bucket_elsewhere(settings, where)
    return Check("Bucket", True, f"s3://{bucket}/{settings.prefix} is reachable.")


def _bucket_region(response: dict) -> str | None:
    """The bucket's region as a HeadBucket answer (or its 301 error) states it."""
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    return response.get("BucketRegion") or headers.get("x-amz-bucket-region")


def _bucket_elsewhere(settings: AwsSettings, where: str | None) -> Check:
    return Check(
        "Bucket",
        False,
        f"Bucket '{settings.bucket}' is in region {where or 'another region'}, not {settings.region}: "
        "SageMaker jobs need the bucket in their own region. Set RFM_AWS_REGION to the bucket's "
        "region, or use a bucket in this region.",
    )


def check_role(settings: AwsSettings, field: str, session, account: str | None) -> Check:
    """A role ARN is set, well formed, and (when ``iam:GetRole`` is allowed) exists."""
    title, principal = ROLE_SETTINGS[field]
    arn = getattr(settings, field)
    if not arn:
        return Check(title, False, f"{_missing(field)} The role must trust {principal}.")
    if not ARN_PATTERNS["role"].match(arn):
        setting = SETTINGS_BY_FIELD[field]
        return Check(
            title,
            False,
            f"'{arn}' is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>): "
            f"fix {setting.env[0]}.",
        )
    if account is None:
        return Check(title, False, f"{arn} looks right. {_SKIPPED}")
    role_name = arn.split(":role/", 1)[1].rsplit("/", 1)[-1]
    try:
        settings.client("iam", session).get_role(RoleName=role_name)
    except ClientError as error:
        code = error_code(error)
        if code in _NOT_FOUND:
            return Check(
                title,
                False,
                f"Role '{role_name}' does not exist in account {account}: create it (trusting {principal}) "
                f"or fix {SETTINGS_BY_FIELD[field].env[0]}.",
            )
        if code in _DENIED:
            return Check(title, True, f"{arn} is well formed; not verified (iam:GetRole is not allowed).")
        return Check(title, False, explain_aws_error(error, f"look up role '{role_name}'", settings))
    except BotoCoreError as error:
        return Check(title, False, explain_aws_error(error, f"look up role '{role_name}'", settings))
    other_account = arn.split(":")[4]
    if other_account != account:
        return Check(title, True, f"{arn} exists (in account {other_account}, not the caller's {account}).")
    return Check(title, True, f"{arn} exists.")


def check_layer(settings: AwsSettings, session, account: str | None) -> Check:
    """The pandas/numpy/pyarrow layer is set, in the deploy region, and visible to this identity."""
    arn = settings.lambda_layer_arn
    if not arn and not settings.region:
        # The default layer is chosen by region: with none set there is no layer to name (the
        # message once said "for region None").
        return Check(
            "Lambda layer",
            False,
            "No AWS region is set, so no default AWS SDK for pandas layer can be chosen: "
            f"{SETTINGS_BY_FIELD['region'].how_to_set}, or set RFM_LAMBDA_LAYER_ARN to the "
            "AWSSDKPandas-Python311 layer ARN of your region.",
        )
    if not arn:
        return Check(
            "Lambda layer",
            False,
            f"No default AWS SDK for pandas layer is known for region {settings.region}: set "
            "RFM_LAMBDA_LAYER_ARN to the AWSSDKPandas-Python311 ARN listed for your region in the "
            "aws-sdk-pandas documentation (AWS Lambda Managed Layers).",
        )
    match = ARN_PATTERNS["layer"].match(arn)
    if not match:
        return Check(
            "Lambda layer",
            False,
            f"'{arn}' is not a Lambda layer version ARN "
            "(arn:aws:lambda:<region>:<account>:layer:<name>:<version>): fix RFM_LAMBDA_LAYER_ARN.",
        )
    if settings.region and match.group(1) != settings.region:
        return Check(
            "Lambda layer",
            False,
            f"Layer {arn} is in {match.group(1)} but the functions deploy to {settings.region}: use the "
            "layer ARN of the same region in RFM_LAMBDA_LAYER_ARN.",
        )
    if account is None:
        return Check("Lambda layer", False, f"{arn} looks right. {_SKIPPED}")
    layer, _, version = arn.rpartition(":")
    try:
        settings.client("lambda", session).get_layer_version(LayerName=layer, VersionNumber=int(version))
    except ClientError as error:
        code = error_code(error)
        if code in _NOT_FOUND:
            return Check(
                "Lambda layer",
                False,
                f"Layer {arn} does not exist (or is not shared with this account): set RFM_LAMBDA_LAYER_ARN "
                "to a current AWSSDKPandas-Python311 layer ARN of your region.",
            )
        if code in _DENIED:
            return Check(
                "Lambda layer", True, f"{arn}; not verified (lambda:GetLayerVersion is not allowed)."
            )
        return Check("Lambda layer", False, explain_aws_error(error, f"look up layer {arn}", settings))
    except BotoCoreError as error:
        return Check("Lambda layer", False, explain_aws_error(error, f"look up layer {arn}", settings))
    return Check("Lambda layer", True, f"{arn} is available.")


def check_packages(settings: AwsSettings) -> Check:
    """Every module the handlers need is bundled or provided by the runtime and the layers."""
    missing, optional = [], set()
    extra = bool(settings.extra_layer_arns)
    for name in LAMBDA_FUNCTIONS:
        try:
            package = build_package(name)
        except StudioError as error:
            return Check("Lambda code", False, str(error))
        if package.missing_on_lambda(extra):
            missing.append(f"{name} imports {', '.join(package.missing_on_lambda(extra))}")
        optional.update(package.missing_on_lambda(extra, optional=True))
    if missing:
        return Check(
            "Lambda code",
            False,
            "; ".join(missing) + ", which neither the Lambda runtime nor the AWS SDK for pandas layer "
            "provides: publish a layer with them and list its ARN in RFM_LAMBDA_EXTRA_LAYER_ARNS.",
        )
    note = (
        " (not on Lambda but imported only inside library functions, so needed only if those run: "
        f"{', '.join(sorted(optional))})"
    )
    return Check(
        "Lambda code",
        True,
        f"{len(LAMBDA_FUNCTIONS)} handlers package with their imports" + (note if optional else "") + ".",
    )


def run_preflight(settings: AwsSettings) -> list[Check]:
    """All checks, in the order a person would fix them; never raises for expected failures."""
    checks = [check_region(settings)]
    try:
        session = settings.session()
    except BotoCoreError as error:
        checks.append(Check("Credentials", False, explain_aws_error(error, "open an AWS session", settings)))
        session, account = None, None
    else:
        credentials, account = check_credentials(settings, session)
        checks.append(credentials)
    if account is None:
        checks.append(Check("Bucket", False, _missing("bucket") if not settings.bucket else _SKIPPED))
    else:
        checks.append(check_bucket(settings, session))
    checks.extend(check_role(settings, field, session, account) for field in ROLE_SETTINGS)
    checks.append(check_layer(settings, session, account))
    checks.append(check_packages(settings))
    return checks
