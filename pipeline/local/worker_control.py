"""Worker processes of the local engine: start one, tell whether it lives, end it.

Each execution runs in ``python -m pipeline.local.worker ARN``, detached from the caller (its
own session, output to a log file) so that it outlives a Streamlit script run. A worker is
named by its pid *and* its process identity (its start time, from psutil), so a pid reused
by another program is not mistaken for the worker; a zombie counts as gone.

``terminate_worker`` is the last resort of ``StopExecution``: a worker that did not record the
abort within the grace period (stopped with SIGSTOP, or hung) is killed with SIGKILL, its
whole process group with it, once its command line shows it is the worker of that execution.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config import PROJECT_ROOT, data_home
from pipeline.local.store import ExecutionRecord, RunStore
from pipeline.local.warm_worker import SERVER_MODULE as WARM_SERVER_MODULE
from pipeline.local.warm_worker import WarmWorkerError, WarmWorkerServer
from pipeline.local.worker import STORE_ENV, WORKER_DIED_ERROR, run_execution

if TYPE_CHECKING:
    import psutil

#: The module a worker process runs.
WORKER_MODULE = "pipeline.local.worker"

#: Seconds between two looks while waiting for a worker to end.
POLL_SECONDS = 0.05


def process_identity(pid: int) -> str | None:
    """Process ``pid``'s start time as text, "" if it is alive but unreadable, None if gone.

    Together with the pid it names one process for its whole life: a later process that
    reuses the pid has another start time. Zombies (exited, not yet reaped) count as gone.
    """
    import psutil  # imported on first use: 20-30 ms the first page of a server need not pay

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return f"{process.create_time():.2f}"
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return ""


def process_alive(pid: int | None, identity: str | None) -> bool:
    """Whether the process recorded as (pid, identity) is still running (a stopped one is).

    An identity recorded before identities were start times (a bare integer) is not
    comparable, so such a record is judged by its pid alone.
    """
    if pid is None:
        return False
    current = process_identity(pid)
    if current is None:
        return False
    if not identity or "." not in identity or not current:
        return True
    return current == identity


def worker_environment(store_path: Path) -> dict[str, str]:
    """The environment of a worker: this process's, with its data directory and run store."""
    env = dict(os.environ)
    env["RFM_STUDIO_HOME"] = str(data_home())
    env[STORE_ENV] = str(store_path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env


def start_worker(arn: str, log_path: Path, store_path: Path) -> subprocess.Popen[bytes]:
    """Start the worker of execution ``arn``, its output appended to ``log_path``.

    Raises OSError when the process cannot be started.
    """
    env = worker_environment(store_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, arn],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _is_worker_of(process: psutil.Process, arn: str) -> bool:
    """Whether ``process`` is a worker: the worker command of ``arn``, or a child forked by a
    warm server (its command line is the server's; unlike the server, it leads its own session)."""
    import psutil

    try:
        command = process.cmdline()
        if WARM_SERVER_MODULE in command:
            return os.getsid(process.pid) == process.pid
    except (psutil.Error, OSError):
        return False
    return WORKER_MODULE in command and arn in command


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; returns whether it held."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


def terminate_worker(pid: int | None, identity: str | None, arn: str, *, wait_seconds: float = 10.0) -> bool:
    """SIGKILL the worker of ``arn`` (and its process group); True once it is gone.

    Refuses (returns False) for this very process, for a pid now held by another process
    (identity), and for a process whose command line is not that execution's worker.
    """
    if pid is None or pid == os.getpid() or not process_alive(pid, identity):
        return not process_alive(pid, identity)
    import psutil

    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return True
    if not _is_worker_of(process, arn):
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    return wait_until(lambda: not process_alive(pid, identity), wait_seconds)


class Workers:
    """The workers of one client: start them, judge their liveness, stop them.

    In ``"process"`` mode each execution runs in a worker process (``start_worker``); in
    ``"warm"`` mode in a worker process forked by a warm server that has imported what runs
    need (``pipeline.local.warm_worker``; a plain worker process when that fails); in
    ``"thread"`` mode in a daemon thread of this process, with ``resources`` (tests,
    benchmarks). Reading a RUNNING execution checks its worker: if it is gone, the execution
    is recorded FAILED with ``Local.WorkerDied`` (or ABORTED, when a stop was asked).
    """

    def __init__(self, store: RunStore, mode: str, resources: Any, stop_grace_seconds: float) -> None:
        self.store = store
        self.mode = mode
        self.resources = resources
        self.stop_grace_seconds = stop_grace_seconds
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.threads: dict[str, threading.Thread] = {}
        self.warm_server: WarmWorkerServer | None = None
        if mode == "warm":
            self.warm_server = WarmWorkerServer(store.path.parent / "logs" / "warm-worker.log")

    def warm_up(self) -> None:
        """Start the warm server now (in warm mode), so it imports while the caller prepares a run."""
        if self.warm_server is not None:
            with contextlib.suppress(OSError):
                self.warm_server.start()

    def start(self, arn: str, machine_name: str, name: str) -> None:
        """Run the stored RUNNING execution ``arn`` in the background."""
        if self.mode == "thread":
            self._start_thread(arn)
        else:
            self._start_process(arn, machine_name, name)

    def _start_thread(self, arn: str) -> None:
        def run() -> None:
            store = RunStore(self.store.path)
            try:
                run_execution(arn, store=store, resources=self.resources)
            finally:
                store.close()

        thread = threading.Thread(target=run, name=f"execution {arn.rsplit(':', 1)[-1]}", daemon=True)
        self.threads[arn] = thread
        thread.start()

    def _start_process(self, arn: str, machine_name: str, name: str) -> None:
        log_path = self.store.path.parent / "logs" / f"{machine_name}.{name}.log"
        if self.warm_server is not None:
            try:
                pid = self._start_warm(arn, log_path)
            except WarmWorkerError as error:
                print(f"warning: {error}; starting a plain worker process instead", file=sys.stderr)
            else:
                self.store.set_worker(arn, pid, process_identity(pid), str(log_path))
                return
        try:
            child = start_worker(arn, log_path, self.store.path)
        except OSError as exc:
            cause = (
                f"Could not start the local worker process ({sys.executable}): {exc}. "
                "Check that the Python interpreter running the app still exists and the data "
                f"directory {log_path.parent.parent} is writable, then start the execution again."
            )
            self._record_worker_died(arn, cause)
            return
        self.children[arn] = child
        self.store.set_worker(arn, child.pid, process_identity(child.pid), str(log_path))

    def _start_warm(self, arn: str, log_path: Path) -> int:
        """A worker of ``arn`` forked by the warm server; its pid."""
        assert self.warm_server is not None
        log_path.parent.mkdir(parents=True, exist_ok=True)
        env = worker_environment(self.store.path)
        return self.warm_server.spawn(arn, log_path, self.store.path, env, PROJECT_ROOT)

    def _reap(self) -> None:
        """Collect exited worker processes, so they do not linger as zombies."""
        for arn, child in list(self.children.items()):
            if child.poll() is not None:
                # pop, not del: the app's session threads share this client and reap concurrently.
                self.children.pop(arn, None)

    def check(self, record: ExecutionRecord) -> ExecutionRecord:
        """The record, or (when its worker is gone) the record of how it ended."""
        if record.status != "RUNNING":
            return record
        self._reap()
        thread = self.threads.get(record.arn)
        if thread is not None:
            if thread.is_alive():
                return record
        elif process_alive(record.worker_pid, record.worker_identity):
            return record
        fresh = self.store.get_execution(record.arn)
        if fresh is None or fresh.status != "RUNNING" or fresh.worker_pid != record.worker_pid:
            return fresh or record  # finished, or a worker was just launched, meanwhile
        if fresh.stop_requested:
            self._record_abort(fresh)
        else:
            log = f"; its log is {fresh.log_path}" if fresh.log_path else ""
            cause = (
                f"The local worker process (pid {fresh.worker_pid}) stopped unexpectedly "
                f"before the execution ended{log}"
            )
            self._record_worker_died(fresh.arn, cause)
        return self.store.get_execution(record.arn) or record

    def stop(self, record: ExecutionRecord) -> None:
        """After the stop flag is raised: wait for the abort, kill a worker that does not record it."""
        arn = record.arn
        if wait_until(lambda: self._ended(arn), self.stop_grace_seconds):
            return
        if arn not in self.threads:  # a thread cannot be killed; its run ends at the next state
            terminate_worker(record.worker_pid, record.worker_identity, arn)
        self.check(self.store.get_execution(arn) or record)

    def _ended(self, arn: str) -> bool:
        record = self.store.get_execution(arn)
        return record is None or self.check(record).status != "RUNNING"

    def _record_worker_died(self, arn: str, cause: str) -> None:
        """Record FAILED with ``Local.WorkerDied`` and its ExecutionFailed event (if still RUNNING)."""
        details = {"error": WORKER_DIED_ERROR, "cause": cause}
        event = {"type": "ExecutionFailed", "executionFailedEventDetails": details}
        self.store.finish(arn, status="FAILED", error=WORKER_DIED_ERROR, cause=cause, event=event)

    def _record_abort(self, record: ExecutionRecord) -> None:
        pairs = (("error", record.stop_error), ("cause", record.stop_cause))
        details = {key: value for key, value in pairs if value is not None}
        self.store.finish(
            record.arn,
            status="ABORTED",
            error=record.stop_error,
            cause=record.stop_cause,
            event={"type": "ExecutionAborted", "executionAbortedEventDetails": details},
        )
