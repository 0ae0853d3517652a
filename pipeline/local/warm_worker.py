"""A fork server for local executions: one process a run, started from a warm, pre-imported parent.

A fresh ``python -m pipeline.local.worker`` spends about a second (several under load) importing
pandas, scikit-learn and the handlers before its first state, while the sample's work takes
well under a second. The client's ``mode="warm"`` starts ``python -m pipeline.local.warm_worker``
once (it imports all of that, then waits) and asks it for a worker per execution: the server
forks, and the child runs that one execution exactly as the worker command does, then exits.

The contract of the worker processes stays: each execution has its own process, in its own
session (``setsid``, so its group can be killed as one), its output appended to its log, the
environment and working directory of the client that launched it. Stopping is unchanged
(the stop flag, then SIGKILL after the grace period; a SIGSTOPped child is killed like any
worker). The server reaps its children (SIGCHLD ignored), so none lingers as a zombie, and it
exits when the client's end of its stdin closes. It runs one thread and never runs a model
itself, so forking it is safe for the libraries it imported.

Protocol, one JSON line each way on the server's stdin/stdout: ``ready`` once the imports are
done; a request ``{"arn", "log", "store", "env", "cwd"}`` is answered ``{"pid": N}`` or
``{"error": "..."}``.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

#: The module the server process runs (its command line tells a warm worker apart).
SERVER_MODULE = "pipeline.local.warm_worker"

#: Imported by the server before it says ready: what a run of the studio's workflows imports.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "sklearn.cluster",
    "sklearn.metrics",
    "pipeline.local.asl.interpreter",
    "pipeline.local.services.resources",
    "pipeline.local.services.request_validation",
    "pipeline.local.worker",
)
#: Imported when installed (another workflow's stand-in may use them).
OPTIONAL_PRELOAD = ("xgboost",)

#: Seconds the client waits for the server's imports (a loaded machine) before spawning instead.
READY_SECONDS = 60.0
#: Seconds the client waits for the answer to one request.
REPLY_SECONDS = 10.0


class WarmWorkerError(OSError):
    """The warm server could not start a worker; the caller starts a plain worker process instead."""


# --- the server --------------------------------------------------------------------------------


def preload() -> None:
    """Import what every run needs, and the registered Lambda handlers, once."""
    for name in PRELOAD:
        importlib.import_module(name)
    for name in OPTIONAL_PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from pipeline.workflows.registry import LAMBDA_FUNCTIONS

    for handler in LAMBDA_FUNCTIONS.values():
        importlib.import_module(handler.partition(":")[0])


def _run_child(request: dict[str, Any], server_fds: tuple[int, ...]) -> None:
    """In the forked child: become the execution's worker process, run it, exit (never returns)."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        for fd in server_fds:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.stdin = open(os.devnull)  # noqa: SIM115 - the child's whole life
        sys.stdout = os.fdopen(1, "w", buffering=1)
        sys.stderr = os.fdopen(2, "w", buffering=1)
        from pipeline.local.store import RunStore, RunStoreError
        from pipeline.local.worker import run_execution

        started = time.monotonic()
        arn = request["arn"]
        try:
            status = run_execution(arn, store=RunStore(request["store"]))
        except RunStoreError as error:
            print(f"error: {error}", file=sys.stderr, flush=True)
            code = 2
        else:
            print(
                f"{arn} finished {status} after {time.monotonic() - started:.2f}s (warm worker)", flush=True
            )
            code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def serve(requests: IO[str], replies: IO[str]) -> int:
    """Answer requests until ``requests`` ends (the client has gone)."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server_fds = (requests.fileno(), replies.fileno())
    replies.write("ready\n")
    replies.flush()
    for line in requests:
        try:
            request = json.loads(line)
            pid = os.fork()
        except (ValueError, OSError) as error:
            replies.write(json.dumps({"error": str(error)}) + "\n")
            replies.flush()
            continue
        if pid == 0:
            _run_child(request, server_fds)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
    return 0


@contextlib.contextmanager
def low_priority() -> Iterator[None]:
    """Import at low CPU and disk priority, so a page being drawn meanwhile keeps the machine.

    Restored afterwards where the system allows (raising one's own priority back may not be
    allowed: then the workers run niced, which only matters on a busy machine).
    """
    import psutil

    process = psutil.Process()
    nice, ionice = process.nice(), process.ionice()
    with contextlib.suppress(OSError, psutil.Error, AttributeError):
        process.nice(min(nice + 10, 19))
        process.ionice(psutil.IOPRIO_CLASS_BE, 7)
    try:
        yield
    finally:
        with contextlib.suppress(OSError, psutil.Error, AttributeError):
            process.nice(nice)
            process.ionice(ionice.ioclass, ionice.value)


def main() -> int:
    """Entry point of the server process."""
    with low_priority():
        preload()
    try:
        return serve(sys.stdin, sys.stdout)
    except BrokenPipeError:  # the client went away (its process ended) before asking anything
        return 0


# --- the client's side -------------------------------------------------------------------------


class WarmWorkerServer:
    """The client's handle on its warm server: started once, asked for one worker per execution.

    ``start`` returns at once (the server imports in the background, on another core while the
    caller reads and uploads its dataset); ``spawn`` waits for it to be ready. Any failure
    (the server died, never got ready, answered nonsense) raises :class:`WarmWorkerError`, and
    the next ``spawn`` starts a new server.
    """

    def __init__(self, log_path: Path, ready_seconds: float = READY_SECONDS) -> None:
        self.log_path = log_path
        self.ready_seconds = ready_seconds
        self._process: subprocess.Popen[str] | None = None
        self._ready = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the server if it is not running (non-blocking)."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        from pipeline.config import PROJECT_ROOT

        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", SERVER_MODULE],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self._ready = False
        return self._process

    def spawn(self, arn: str, log_path: Path, store_path: Path, env: dict[str, str], cwd: Path) -> int:
        """A new worker process running execution ``arn``; its pid."""
        request = {"arn": arn, "log": str(log_path), "store": str(store_path), "env": env, "cwd": str(cwd)}
        with self._lock:
            # A server that was ready before may have died since: one more try with a new one.
            retry = self._ready
            while True:
                try:
                    reply = self._ask(json.dumps(request))
                    break
                except (OSError, ValueError) as error:
                    self._discard()
                    if not retry:
                        raise WarmWorkerError(f"the warm worker server failed: {error}") from None
                    retry = False
        if not isinstance(reply, dict) or not isinstance(reply.get("pid"), int):
            raise WarmWorkerError(f"the warm worker server could not fork: {reply}")
        return reply["pid"]

    def _ask(self, request: str) -> Any:
        process = self._ensure_started()
        if not self._ready:
            self._expect(process, self.ready_seconds, "ready")
            self._ready = True
        assert process.stdin is not None
        process.stdin.write(request + "\n")
        process.stdin.flush()
        return json.loads(self._expect(process, REPLY_SECONDS, None))

    @staticmethod
    def _expect(process: subprocess.Popen[str], seconds: float, wanted: str | None) -> str:
        """The server's next line within ``seconds`` (``wanted`` exactly, when given)."""
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], seconds)
        if not ready:
            raise WarmWorkerError(f"no answer within {seconds:.0f} s")
        line = process.stdout.readline()
        if not line:
            raise WarmWorkerError(f"it exited (code {process.poll()}); see {process.args!r}")
        if wanted is not None and line.strip() != wanted:
            raise WarmWorkerError(f"unexpected line {line.strip()[:200]!r}")
        return line

    def _discard(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        self._process = None
        self._ready = False

    def close(self) -> None:
        """End the server (running workers go on: they are in their own sessions)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                assert self._process.stdin is not None
                self._process.stdin.close()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
            self._ready = False

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None


if __name__ == "__main__":
    sys.exit(main())
