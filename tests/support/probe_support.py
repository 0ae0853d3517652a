"""Run a probe script in a fresh Python process and read what it found.

Start-up tests need a process that has imported nothing yet (what a new server or CLI command
sees); the probe prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipeline.config import PROJECT_ROOT


def run_probe(
    code: str, studio_home: Path, timeout: float = 600, args: list[str] | None = None
) -> dict[str, Any]:
    """Run ``code`` with ``python -c`` in the project (``args`` as its ``sys.argv[1:]``), with
    ``studio_home`` as its data directory; the JSON object it printed last. A failing probe
    fails the test with its stderr."""
    env = dict(os.environ, RFM_STUDIO_HOME=str(studio_home), PYTHONPATH=str(PROJECT_ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code, *(args or [])],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
