"""Lambda function names as Lambda accepts them, and importing a handler by ``module:function``.

A workflow names its Lambda functions (``FunctionName`` of a ``lambda:invoke`` task): a bare
name, a name with a version or alias, a full or partial ARN. The local engine resolves any of
them to the registered handler (``pipeline.workflows.registry.LAMBDA_FUNCTIONS``) and imports
it lazily, at invoke time, so listing or resolving names never imports a handler's dependencies.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any], Any]

# arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier]
_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?$"
)
# 123456789012:function:name[:qualifier] (a "partial ARN", which Lambda also accepts)
_PARTIAL = re.compile(r"^\d{12}:function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?$")
_NAME = re.compile(r"^(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>[a-zA-Z0-9$_-]+))?$")


def parse_function_name(function_name: str) -> tuple[str, str | None]:
    """Split a FunctionName as Lambda accepts it into (name, qualifier or None).

    Accepts a bare name (``rfm-studio-prepare-rfm``), a name with a version or alias
    (``rfm-studio-prepare-rfm:live``), a full ARN, with or without qualifier, and a partial
    ARN (``123456789012:function:name``). Raises ``ValueError`` for anything else.
    """
    text = str(function_name).strip()
    for pattern in (_ARN, _PARTIAL, _NAME):
        match = pattern.match(text)
        if match:
            return match["name"], match["qualifier"]
    raise ValueError(f"'{function_name}' is not a Lambda function name, name:alias or function ARN")


def resolve_function_name(function_name: str) -> str:
    """The registered function name a FunctionName refers to (its qualifier dropped)."""
    return parse_function_name(function_name)[0]


def import_handler(target: str) -> Handler:
    """Import ``"package.module:function"`` and return the function (ImportError if absent)."""
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute or "lambda_handler")
    except AttributeError as error:
        raise ImportError(f"module '{module_name}' has no handler '{attribute}'") from error
