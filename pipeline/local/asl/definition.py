"""A definition's JSON text read as CreateStateMachine reads it: at most 1 MiB, strict JSON.

Anything wrong with the text itself (not JSON, NaN, over the size quota, nested past what
the engine follows) is a ``DefinitionError`` like the problems ``validation`` finds.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.limits import DEFINITION_DEPTH_LIMIT, DEFINITION_LIMIT_BYTES


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def load_definition(text: str) -> Any:
    """The parsed definition; ``DefinitionError`` saying what is wrong with the text."""
    if not isinstance(text, str):
        raise DefinitionError([f"The definition must be JSON text, not {type(text).__name__}."])
    size = len(text.encode("utf-8", errors="replace"))
    if size > DEFINITION_LIMIT_BYTES:
        raise DefinitionError(
            [f"The definition has {size} bytes; Step Functions accepts at most {DEFINITION_LIMIT_BYTES}."]
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise DefinitionError(
            [
                f"The definition nests more than {DEFINITION_DEPTH_LIMIT} levels deep; the local engine runs "
                "definitions nested up to that depth."
            ]
        ) from None
    except ValueError as error:
        raise DefinitionError([f"The definition is not JSON: {error}."]) from None
