"""The servers benchmarks/first_page.py (and bench_browser) open their first pages on: ``streamlit
run`` through ``probed_server.py`` in a checkout, answering on 127.0.0.1, its script runs logged."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROBED_SERVER = Path(__file__).resolve().parent / "probed_server.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    #: wall-clock time (time.time()) the server first answered its health check
    answered: float
    probe_log: Path


def start_server(
    tree: Path, home: Path, port: int, profile: Path | None = None, watcher: str | None = "none"
) -> Server:
    """``streamlit run app.py`` in ``tree`` through probed_server, answering on 127.0.0.1:port.

    ``watcher`` is Streamlit's ``server.fileWatcherType``: "none" by default, whatever the tree's
    config says (trees from before round 25 watched their sources, which the benchmarks never
    timed); None leaves the tree's own ``.streamlit/config.toml`` to decide."""
    probe_log = home / f"probe-{port}-{time.time_ns()}.jsonl"
    env = dict(os.environ, RFM_STUDIO_HOME=str(home), PYTHONPATH=str(tree))
    env["RFM_BENCH_PROBE_LOG"] = str(probe_log)
    # As an installed app runs: Python keeps the compiled modules (this machine's shell sets
    # PYTHONDONTWRITEBYTECODE, which made every server compile the app's ~60 modules again).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if profile is not None:
        env["RFM_BENCH_PROFILE"] = str(profile)
    command = [sys.executable, str(PROBED_SERVER), "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false"]
    if watcher is not None:
        command += ["--server.fileWatcherType", watcher]
    log = open(home / "streamlit.log", "ab")  # noqa: SIM115 - closed with the server
    process = subprocess.Popen(
        command, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return Server(process, url, time.time(), probe_log)
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: see {home / 'streamlit.log'}")
        time.sleep(0.02)
    raise RuntimeError("streamlit did not answer within 300 s")


def stop_server(server: Server) -> None:
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def first_script_run(server: Server, since: float) -> dict[str, float]:
    """The first script run the probe logged after ``since`` (this page's own; wall clock)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.probe_log.exists():
            lines = server.probe_log.read_text(encoding="utf-8").splitlines()
            runs = [run for run in map(json.loads, lines) if run["start"] >= since]
            if runs:
                return runs[0]
        time.sleep(0.05)
    return {}
