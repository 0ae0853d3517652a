"""The server settings `streamlit run app.py` reads from .streamlit/config.toml, as Streamlit parses
them (a key misspelt or put in the wrong section is ignored by Streamlit, silently)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.loading.sources import DEFAULT_MAX_MB

REPO_ROOT = Path(__file__).resolve().parents[2]
READ_OPTIONS = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
names = ["server.fileWatcherType", "runner.postScriptGC", "server.maxUploadSize"]
print(json.dumps({name: config.get_option(name) for name in names}))
"""


def options_read_in(folder: Path) -> dict:
    """The options a Streamlit server started in ``folder`` would run with (a fresh process: the
    test process's own Streamlit config is not touched)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    done = subprocess.run(
        [sys.executable, "-c", READ_OPTIONS], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_runs_without_watching_its_sources_and_with_the_loaders_upload_cap():
    options = options_read_in(REPO_ROOT)

    # issue 10: watching the sources walked every imported module's path on the server's event loop
    # at each session's first run (0.4-0.6 s in which no session was answered: bench_session_stall).
    assert options["server.fileWatcherType"] == "none"
    # No full collection after each run: it held the GIL 0.1-0.4 s before the run's last messages.
    assert options["runner.postScriptGC"] is False
    # A file the loader accepts can be uploaded, and no larger one.
    assert options["server.maxUploadSize"] == DEFAULT_MAX_MB


def test_a_folder_without_the_apps_config_gets_streamlits_defaults(tmp_path):
    # The check above reads the repository's file, not Streamlit's defaults.
    options = options_read_in(tmp_path)

    assert options["server.fileWatcherType"] == "auto"
    assert options["runner.postScriptGC"] is True
