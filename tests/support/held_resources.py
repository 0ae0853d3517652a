"""Local runs of the real workflow that stay RUNNING until they are stopped.

The prepare step's Lambda handler holds (for ``HOLD_SECONDS``) instead of preparing; the
engine abandons the call when the run is stopped. A process that starts local runs names the
factory in ``RFM_STUDIO_LOCAL_RESOURCES`` (``<this file>:held_prepare``), and the worker
processes it starts build their resources with it (see pipeline/local/worker.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

from pipeline.local.services.resources import LocalResources
from pipeline.workflows.clustering import PREPARE_FUNCTION

#: Longer than any test waits: the run only ends by Stop (or the test's clean-up).
HOLD_SECONDS = 900
#: The value of RFM_STUDIO_LOCAL_RESOURCES that selects this factory.
FACTORY = f"{Path(__file__).resolve()}:held_prepare"


def _hold(event, context):
    threading.Event().wait(HOLD_SECONDS)
    raise TimeoutError(f"the held prepare step was not stopped within {HOLD_SECONDS} s")


def held_prepare() -> LocalResources:
    """The local resources with the prepare function replaced by one that holds."""
    return LocalResources(functions={PREPARE_FUNCTION: _hold})
