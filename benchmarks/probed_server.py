"""``streamlit run`` with the script runs timed (and the first one optionally profiled).

    python benchmarks/probed_server.py run app.py --server.port 8501 ...

Run as a file (not ``-m``), so it works from any checkout's directory: a "before" checkout has
no copy of it. ``RFM_BENCH_PROBE_LOG`` names a JSON-lines file that gets, for every script run,
its start and end on the wall clock (``time.time()``, the clock the browser's
``performance.timeOrigin`` shares on this machine), the first and last delta it sent and the
CPU seconds of the script's thread (``cpu``: what the run costs whatever the machine's load);
with ``RFM_BENCH_PROFILE`` set, the first script run is profiled into that pstats file.
Nothing here changes what the server does.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time


def install_probe(log_path: str, profile_path: str | None) -> None:
    """Wrap ScriptRunner's run and its message queue to write one JSON line per script run."""
    from streamlit.runtime.scriptrunner import script_runner

    runner_class = script_runner.ScriptRunner
    original_run = runner_class._run_script
    original_enqueue = runner_class._enqueue_forward_msg
    lock = threading.Lock()
    state = {"profiled": False}
    current: dict[int, dict[str, float]] = {}

    def enqueue(self, msg):  # type: ignore[no-untyped-def]
        record = current.get(id(self))
        if record is not None and msg.WhichOneof("type") == "delta":
            now = time.time()
            record.setdefault("first_delta", now)
            record["last_delta"] = now
            record["deltas"] = record.get("deltas", 0) + 1
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                kind = delta.new_element.WhichOneof("type")
                if kind == "heading":
                    record.setdefault("first_heading", now)
        return original_enqueue(self, msg)

    def run(self, rerun_data):  # type: ignore[no-untyped-def]
        record: dict[str, float] = {"start": time.time()}
        cpu_start = time.thread_time()
        current[id(self)] = record
        profiler = None
        with lock:
            if profile_path and not state["profiled"]:
                import cProfile

                state["profiled"] = True
                profiler = cProfile.Profile()
        try:
            if profiler is not None:
                profiler.enable()
            return original_run(self, rerun_data)
        finally:
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile_path)
            record["end"] = time.time()
            record["cpu"] = time.thread_time() - cpu_start  # the script thread's CPU seconds
            current.pop(id(self), None)
            with lock, open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")

    runner_class._run_script = run
    runner_class._enqueue_forward_msg = enqueue


def main() -> None:
    # Run as a file, Python put benchmarks/ first on sys.path; the app's checkout comes from cwd.
    sys.path[0] = os.getcwd()
    log_path = os.environ.get("RFM_BENCH_PROBE_LOG")
    if log_path:
        install_probe(log_path, os.environ.get("RFM_BENCH_PROFILE") or None)
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
