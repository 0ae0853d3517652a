"""Local runs of the real workflow that stay RUNNING until they are stopped.

Every Lambda task holds (for ``HOLD_SECONDS``) instead of running its handler, so a run of
the clustering workflow stays in its first step; the engine abandons the call when the run is
stopped. A process that starts local runs names the factory in ``RFM_STUDIO_LOCAL_RESOURCES``
(:data:`FACTORY`), and the worker processes it starts build their resources with it (see
pipeline/local/worker.py).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pipeline.local.services.resources import LocalResources

#: Longer than any test waits: the run only ends by Stop (or the test's clean-up).
HOLD_SECONDS = 900
#: The value of RFM_STUDIO_LOCAL_RESOURCES that selects this factory.
FACTORY = f"{Path(__file__).resolve()}:held_lambdas"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


class HeldLambdas(LocalResources):
    """The local resources, except that a Lambda task never returns before it is stopped."""

    def invoke(self, resource: str, parameters: Any, *, state_name: str, timeout: float | None = None) -> Any:
        if resource == LAMBDA_INVOKE:
            threading.Event().wait(HOLD_SECONDS)
            raise TimeoutError(f"the held step '{state_name}' was not stopped within {HOLD_SECONDS} s")
        return super().invoke(resource, parameters, state_name=state_name, timeout=timeout)


def held_lambdas() -> LocalResources:
    """The factory the worker processes call."""
    return HeldLambdas()
