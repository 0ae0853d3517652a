"""Local ARNs and names, shaped like AWS's with the region ``local`` and account ``000000000000``.

``arn:aws:states:local:000000000000:stateMachine:NAME`` and
``arn:aws:states:local:000000000000:execution:STATE_MACHINE:NAME``; names follow Step
Functions' rules (1-80 characters, none of the characters it refuses).
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.local.client_errors import InvalidArn, InvalidName, raise_client_error

REGION = "local"
ACCOUNT = "000000000000"
ARN_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:"

#: Characters AWS refuses in state machine and execution names.
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def state_machine_arn(name: str) -> str:
    """The local ARN of the state machine called ``name``."""
    return f"{ARN_PREFIX}stateMachine:{name}"


def execution_arn(state_machine_name: str, name: str) -> str:
    """The local ARN of execution ``name`` of state machine ``state_machine_name``."""
    return f"{ARN_PREFIX}execution:{state_machine_name}:{name}"


def check_name(name: str, operation: str, what: str) -> None:
    """Raise InvalidName unless ``name`` is a name Step Functions accepts for ``what``."""
    if not name or len(name) > 80 or _BAD_NAME.search(name):
        raise_client_error(
            InvalidName,
            operation,
            f"Invalid {what} name '{name}': use 1-80 characters, no whitespace, brackets, "
            'wildcards or any of " # % \\ ^ | ~ ` $ & , ; : /',
        )


def arn_parts(arn: Any, kind: str, operation: str) -> list[str]:
    """The ``:``-separated parts of a ``kind`` ARN ("stateMachine" or "execution"), else InvalidArn."""
    parts = arn.split(":") if isinstance(arn, str) else []
    expected = 7 if kind == "stateMachine" else 8
    if len(parts) != expected or parts[:3] != ["arn", "aws", "states"] or parts[5] != kind:
        raise_client_error(InvalidArn, operation, f"Invalid Arn: '{arn}' is not a local {kind} ARN")
    return parts
