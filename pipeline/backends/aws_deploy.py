"""Package the Lambda handlers of every workflow and deploy them to AWS.

A function's zip holds its ``handler.py`` at the root (so the handler is
``handler.lambda_handler``) and exactly the first-party modules the handler imports,
followed transitively through ``pipeline`` and ``lambdas`` (tests, pages and benchmarks never
get in). Third-party packages come from the Lambda runtime (boto3) and the AWS SDK for pandas
layer (pandas, numpy, pyarrow); anything else a handler imports is reported, because it would
fail on AWS. The archive is deterministic: same sources, same bytes, same code hash.
"""

from __future__ import annotations

import ast
import hashlib
import io
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.backends.aws_settings import AwsSettings, aws_errors
from pipeline.config import PROJECT_ROOT
from pipeline.errors import WorkflowError
from pipeline.workflows.registry import lambda_functions

#: Function name -> handler file (relative to the project root), of every workflow in the registry.
LAMBDA_FUNCTIONS = {function.name: function.handler_file for function in lambda_functions()}
LAMBDA_RUNTIME = "python3.11"
LAMBDA_HANDLER = "handler.lambda_handler"
FIRST_PARTY = ("pipeline", "lambdas")

#: Top-level modules the python3.11 Lambda runtime ships.
RUNTIME_PROVIDES = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"})
#: Top-level modules the AWS SDK for pandas layer adds (the ones this project may use).
LAYER_PROVIDES = frozenset({"pandas", "numpy", "pyarrow", "awswrangler", "pytz", "tzdata"})

_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


@dataclass
class LambdaPackage:
    """One function's deployment zip and what went into it."""

    function_name: str
    zip_bytes: bytes
    files: list[str]
    third_party: list[str] = field(default_factory=list)
    optional_third_party: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        """Hex digest of the zip (Lambda reports the base64 of the same digest as CodeSha256)."""
        return hashlib.sha256(self.zip_bytes).hexdigest()

    def missing_on_lambda(self, extra_layers: bool = False, *, optional: bool = False) -> list[str]:
        """Required (or, with ``optional``, optional) modules the runtime and pandas layer lack."""
        if extra_layers:
            return []
        wanted = self.optional_third_party if optional else self.third_party
        return sorted(set(wanted) - RUNTIME_PROVIDES - LAYER_PROVIDES)


def _module_file(module: str, root: Path) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports_of(path: Path, module: str) -> dict[str, bool]:
    """Absolute names of every module ``path`` imports -> whether only inside a function (lazily)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, bool] = {}

    def record(name: str, lazy: bool) -> None:
        found[name] = found.get(name, True) and lazy

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    record(alias.name, lazy)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    parts = package.split(".") if package else []
                    keep = max(len(parts) - (child.level - 1), 0)
                    base = ".".join(parts[:keep] + ([child.module] if child.module else []))
                else:
                    base = child.module or ""
                if base:
                    record(base, lazy)
                    for alias in child.names:
                        if alias.name != "*":
                            record(f"{base}.{alias.name}", lazy)
            visit(child, inner)

    visit(tree, False)
    return found


def collect_sources(handler: Path, root: Path = PROJECT_ROOT) -> tuple[dict[str, Path], list[str], list[str]]:
    """The archive layout for one handler and the third-party modules it needs.

    Returns ``({archive name: file}, required, optional)``: the handler itself becomes
    ``handler.py``; every first-party module it reaches is stored under its package path with
    each parent package's ``__init__.py``. Third-party top-level modules are *required* when
    imported by the handler or at module level anywhere, *optional* when only a library
    function imports them (e.g. the Excel reader, unused on Lambda).
    """
    if not handler.is_file():
        raise WorkflowError(f"Lambda handler {handler} is missing: the deploy needs lambdas/*/handler.py.")
    handler_module = ".".join(handler.relative_to(root).with_suffix("").parts)
    files: dict[str, Path] = {"handler.py": handler}
    required: set[str] = set()
    optional: set[str] = set()
    seen: set[str] = set()
    queue = [(handler, handler_module)]
    while queue:
        path, module = queue.pop()
        for name, lazy in sorted(_imports_of(path, module).items()):
            top = name.split(".")[0]
            if top not in FIRST_PARTY:
                if top not in sys.stdlib_module_names and top != "__future__":
                    (optional if lazy and path != handler else required).add(top)
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                sub = ".".join(parts[:depth])
                if sub in seen:
                    continue
                target = _module_file(sub, root)
                if target is None:
                    continue  # "from pipeline.x import some_function": not a module
                seen.add(sub)
                files[target.relative_to(root).as_posix()] = target
                queue.append((target, sub))
    return files, sorted(required), sorted(optional - required)


def build_package(function_name: str, root: Path = PROJECT_ROOT) -> LambdaPackage:
    """The deterministic deployment zip of one of :data:`LAMBDA_FUNCTIONS`."""
    if function_name not in LAMBDA_FUNCTIONS:
        known = ", ".join(LAMBDA_FUNCTIONS)
        raise WorkflowError(f"Unknown Lambda function {function_name!r}: expected one of {known}.")
    files, required, optional = collect_sources(root / LAMBDA_FUNCTIONS[function_name], root)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name].read_bytes())
    return LambdaPackage(function_name, buffer.getvalue(), sorted(files), required, optional)


# --- deploy -------------------------------------------------------------------------------------


def function_configuration(settings: AwsSettings) -> dict[str, Any]:
    """The Lambda configuration every function shares (runtime, handler, role, layer, limits, env)."""
    layers = [arn for arn in (settings.lambda_layer_arn, *settings.extra_layer_arns) if arn]
    return {
        "Role": settings.lambda_role_arn,
        "Handler": LAMBDA_HANDLER,
        "Runtime": LAMBDA_RUNTIME,
        "Timeout": settings.lambda_timeout,
        "MemorySize": settings.lambda_memory,
        "Layers": layers,
        "Environment": {"Variables": {"RFM_STORAGE": "s3", "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}},
        "Description": "RFM Workflow Studio step (deployed by `python -m pipeline deploy`)",
    }


_WAIT = {"Delay": 2, "MaxAttempts": 150}


def deploy_function(client, settings: AwsSettings, package: LambdaPackage) -> tuple[str, str]:
    """Create the function, or update its code then its configuration; returns (ARN, what was done).

    Lambda refuses any change (``ResourceConflictException``) while the function is being
    created or updated, so each change waits for the previous one, including one still running
    from an earlier deploy; a change Lambda rejects is reported with Lambda's reason.
    """
    name = package.function_name
    config = function_configuration(settings)
    with aws_errors(f"look up Lambda function {name}", settings):
        try:
            current = client.get_function(FunctionName=name)["Configuration"]
        except client.exceptions.ResourceNotFoundException:
            current = None
    if current is None:
        action = f"create Lambda function {name} (needs lambda:CreateFunction, iam:PassRole)"
        with aws_errors(action, settings):
            response = client.create_function(
                FunctionName=name, Code={"ZipFile": package.zip_bytes}, Architectures=["x86_64"], **config
            )
            _wait(client, name, "function_active_v2", action)
        return response["FunctionArn"], "created"
    action = f"update Lambda function {name} (needs lambda:UpdateFunctionCode, UpdateFunctionConfiguration)"
    with aws_errors(action, settings):
        if current.get("State") == "Pending":
            _wait(client, name, "function_active_v2", action)
        if current.get("LastUpdateStatus") == "InProgress":
            _wait(client, name, "function_updated_v2", action)
        client.update_function_code(FunctionName=name, ZipFile=package.zip_bytes)
        _wait(client, name, "function_updated_v2", action)
        response = client.update_function_configuration(FunctionName=name, **config)
        _wait(client, name, "function_updated_v2", action)
    return response["FunctionArn"], "updated"


def _wait(client, name: str, waiter: str, action: str) -> None:
    """Wait on a Lambda waiter; a function Lambda put in the Failed state raises with its reason."""
    from botocore.exceptions import WaiterError

    try:
        client.get_waiter(waiter).wait(FunctionName=name, WaiterConfig=_WAIT)
    except WaiterError as error:
        configuration = (error.last_response or {}).get("Configuration", {})
        reason = configuration.get("LastUpdateStatusReason") or configuration.get("StateReason")
        if not reason:
            raise
        raise WorkflowError(
            f"Cannot {action}: Lambda rejected the change: {reason} Fix the setting it names "
            "(role, layers, memory or timeout) and deploy again."
        ) from error
