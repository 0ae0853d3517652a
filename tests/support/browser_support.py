"""Helpers of the real-browser test: a live ``streamlit run app.py`` server and Debian's chromium.

The server runs as a child process in its own session with a private ``RFM_STUDIO_HOME``, so
stopping it (and the local worker processes its runs started, recorded in that home's run
store) never touches anything else on the machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The workflow graph's states whose text (name, type, notes) leaves its box, as sentences: each
#: box's corners are placed with the plot's own axes, the text is measured as drawn.
STATE_NAMES_OUTSIDE_BOXES = """() => {
    const problems = [];
    for (const state of document.querySelectorAll('svg.workflow-graph g.state')) {
        const name = state.getAttribute('data-state');
        const box = state.querySelector('rect').getBoundingClientRect();
        const texts = [...state.querySelectorAll('text')];
        if (!texts.length || box.width === 0) { problems.push(`the state "${name}" is not drawn`); continue; }
        for (const text of texts) {
            const drawn = text.getBoundingClientRect();
            if (drawn.left < box.left - 1 || drawn.right > box.right + 1
                || drawn.top < box.top - 1 || drawn.bottom > box.bottom + 1) {
                problems.push(`"${text.textContent}" of "${name}" leaves its box in the workflow graph`);
            }
        }
    }
    return problems;
}"""

#: A laptop window: the size every page's layout is checked at first (800 px is the narrow one).
VIEWPORT = {"width": 1400, "height": 1000}
#: ms a browser step (a click, an expect) may take: parsing, scoring or rendering on a shared, busy
#: machine, or a cold server importing streamlit, pandas and plotly.
STEP_TIMEOUT = 120_000
HEALTH_TIMEOUT = 90.0  # seconds: a cold start imports streamlit, pandas and plotly on a busy machine
HTTP_TIMEOUT = 2.0  # seconds for one health request


@dataclass
class StreamlitServer:
    """A running ``streamlit run`` child process and where to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    home: Path
    log_path: Path

    @property
    def url(self) -> str:
        """The app's base URL (only ever on 127.0.0.1)."""
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's output, to explain a failure."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=HTTP_TIMEOUT) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(server: StreamlitServer, timeout: float = HEALTH_TIMEOUT) -> None:
    """Poll ``/_stcore/health`` until the server answers; fail with its log if it dies or hangs.

    Polling is the only way here: the server announces readiness through HTTP and nothing else.
    """
    deadline = time.monotonic() + timeout
    while not _healthy(server.url):
        if server.process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {server.process.returncode} before it was healthy:\n"
                f"{server.log_tail()}"
            )
        if time.monotonic() >= deadline:
            raise RuntimeError(f"streamlit was not healthy after {timeout:g}s:\n{server.log_tail()}")
        time.sleep(0.2)


@contextlib.contextmanager
def streamlit_server(
    home: Path, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[StreamlitServer]:
    """Run ``streamlit run app.py`` on a free 127.0.0.1 port with ``RFM_STUDIO_HOME=home``.

    ``extra_env`` adds variables (a test hook such as ``RFM_STUDIO_LOCAL_RESOURCES``). The
    server is always stopped on exit, and so is every local execution recorded in ``home``.
    """
    port = free_port()
    log_path = log_dir / "streamlit.log"
    env = dict(os.environ)
    env["RFM_STUDIO_HOME"] = str(home)
    env.pop("RFM_STORAGE", None)
    env.update(extra_env or {})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = StreamlitServer(process=process, port=port, home=home, log_path=log_path)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        stop_process_group(process)
        stop_local_executions(home)


@contextlib.contextmanager
def open_tab(browser, *, width: int = VIEWPORT["width"], height: int = VIEWPORT["height"], **context_options):
    """A tab in a browser context of its own, closed afterwards.

    A context of its own is a new visitor: no cookies, no HTTP cache, so a new Streamlit session.
    Every action and ``expect`` waits up to ``STEP_TIMEOUT``. ``context_options`` go to
    ``browser.new_context`` (e.g. ``accept_downloads=True``).
    """
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    try:
        tab = context.new_page()
        tab.set_default_timeout(STEP_TIMEOUT)
        expect.set_options(timeout=STEP_TIMEOUT)
        yield tab
    finally:
        context.close()


def file_chip(main, name: str):
    """The chosen file's chip in an upload box: it shows as soon as the file is chosen, while it uploads."""
    return main.get_by_test_id("stFileChipName").filter(has_text=name)


def settled(page, timeout_ms: float = STEP_TIMEOUT) -> None:
    """Wait until Streamlit has finished the current script run (its 'running' widget is gone)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)


def _asks_for_a_scene(widget) -> bool:
    """Whether a widget state is the 3-D scene's ``wanted`` trigger (a JSON list of events)."""
    if widget.WhichOneof("value") != "json_trigger_value":
        return False
    try:
        events = json.loads(widget.json_trigger_value)
    except ValueError:
        return False
    events = events if isinstance(events, list) else [events]
    return any(isinstance(event, dict) and event.get("event") == "wanted" for event in events)


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Stop a child started with ``start_new_session``: SIGTERM to its group, SIGKILL if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)


def stop_local_executions(home: Path, timeout: float = 60.0) -> list[str]:
    """Stop every RUNNING local execution recorded in ``home`` and wait until each has ended.

    Workers run in their own sessions, so stopping the server leaves them running; they are
    asked to stop through the engine's own client (they record ABORTED), and a worker that
    still lingers after ``timeout`` is killed by its recorded pid. Returns the ARNs stopped.
    """
    store_path = home / "runs.sqlite"
    if not store_path.exists():
        return []
    from pipeline.local import worker_control
    from pipeline.local.client import LocalStepFunctionsClient, wait_for_status
    from pipeline.local.store import RunStore

    store = RunStore(store_path)
    try:
        client = LocalStepFunctionsClient(store)
        stopped = []
        for record in store.list_executions(status="RUNNING"):
            client.stop_execution(executionArn=record.arn, error="BrowserTest", cause="test ended")
            stopped.append(record.arn)
        for arn in stopped:
            try:
                wait_for_status(client, arn, timeout, poll_seconds=0.2)
            except Exception:
                record = store.get_execution(arn)
                alive = record is not None and worker_control.process_alive(
                    record.worker_pid, record.worker_identity
                )
                if alive:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(record.worker_pid, signal.SIGKILL)
        return stopped
    finally:
        store.close()


#: A state of the workflow graph drawn on the page (Executions' component, Launch's preview).
GRAPH_STATE = 'svg.workflow-graph g.state[data-state="{}"]'


def graph_state(page, state: str):
    """The locator of the state ``state``'s group in the workflow graph."""
    return page.locator(GRAPH_STATE.format(state.replace("\\", "\\\\").replace('"', '\\"')))


def click_state(page, state: str) -> None:
    """Click a state's box in the Executions workflow graph, as a user does (Playwright scrolls
    it into view and clicks its middle)."""
    graph_state(page, state).click(timeout=STEP_TIMEOUT)


class Reruns:
    """The rerun requests the page sends, in order: each one's fragment id ("" for the page).

    Clusters' 3-D scene, drawn ahead while its tab is closed, asks the server for its figure once
    the page is idle (``ui.scene_component``'s ``wanted`` trigger): those requests are the page's
    own, not a user's action's, and are kept apart in ``scene_asks``. ``page_runs`` counts the
    runs of the whole page the server made: each sends the navigation again, a fragment's does not
    (a widget's callback may turn the page's rerun into a fragment's, ``st.rerun(key)``)."""

    def __init__(self, page) -> None:
        self.sent: list[str] = []
        self.scene_asks: list[str] = []
        self.page_runs = 0
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framesent", self._read)
        socket.on("framereceived", self._count_page_runs)

    def _count_page_runs(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "navigation":
            self.page_runs += 1

    def _read(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = BackMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") != "rerun_script":
            return
        rerun = message.rerun_script
        if any(_asks_for_a_scene(widget) for widget in rerun.widget_states.widgets):
            self.scene_asks.append(rerun.fragment_id)
        else:
            self.sent.append(rerun.fragment_id)

    def after(self, page, action) -> list[str]:
        """The rerun requests ``action`` caused, once the run they started has ended."""
        before = len(self.sent)
        action()
        # The request leaves the page a moment after the click: on a busy machine the page can
        # still look idle (and settled) before it went, so wait for it first. Playwright delivers
        # the socket's frames while it waits.
        deadline = time.monotonic() + STEP_TIMEOUT / 1000
        while len(self.sent) == before and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]')"
            ".getAttribute('data-test-script-state') !== 'running'"
        )
        settled(page, STEP_TIMEOUT)
        return self.sent[before:]
