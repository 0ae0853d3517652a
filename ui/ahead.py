"""Cached figures built ahead of the user, in one background thread (issue 10).

Clusters' 3-D scatter is sent a run's scene (its figure as JSON) on every run switch; a scene the
server had not built yet took 0.2-0.4 s of a switch at 3,000 customers, the slowest run switch
left on the page (benchmarks/README.md, rounds 19 and 21). Once the view is open, the scenes of
the runs next to the one shown are built here, through the same cached function the page calls,
so the page's call finds them built (or waits for the build under way: Streamlit's caches compute
a value once).

One worker for the process, whatever the number of sessions: a build holds the GIL, and the
server has two cores. A build that fails is left to the page, which shows its error if the user
chooses that run.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

#: The worker's thread names: Streamlit's warning that such a thread has no script run (its
#: cached functions' spinners look for one) is not logged for them.
THREAD_PREFIX = "build-ahead"
_LOGGER = logging.getLogger(__name__)
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_PREFIX)
_queued: set[tuple[str, str]] = set()
_lock = threading.Lock()


class _NoScriptRunWarning(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the worker's threads only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName or "").startswith(THREAD_PREFIX)


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoScriptRunWarning())


def nearest(items: Sequence[str], shown: str, count: int) -> list[str]:
    """Up to ``count`` of ``items`` other than ``shown``, nearest to it in their order first (the
    one after it, the one before, the second after, ...): the choices a user makes next."""
    if shown not in items:
        return list(items[:count])
    at = items.index(shown)
    order = []
    for step in range(1, len(items)):
        for place in (at + step, at - step):
            if 0 <= place < len(items):
                order.append(items[place])
    return order[:count]


def build_ahead(build: Callable[[str], Any], keys: Sequence[str]) -> None:
    """Call ``build(key)`` for each of ``keys`` in the background, in order, unless already queued.

    ``build`` is a cached function (``st.cache_resource``): the page's own call of it then finds
    the value built (``functools.partial`` binds any other arguments). Its errors are logged at
    debug level and otherwise left to the page."""
    name = _job_name(build)
    for key in keys:
        job = (name, key)
        with _lock:
            if job in _queued:
                continue
            _queued.add(job)
        _worker.submit(_run, build, job)


def _job_name(build: Callable[[str], Any]) -> str:
    """What tells one build from another in the queue: the function, and a partial's bound
    arguments (the comparisons of run A and of run B are different jobs)."""
    if isinstance(build, functools.partial):
        return f"{_job_name(build.func)}{build.args!r}{sorted(build.keywords.items())!r}"
    return f"{getattr(build, '__module__', '')}.{getattr(build, '__qualname__', repr(build))}"


def _run(build: Callable[[str], Any], job: tuple[str, str]) -> None:
    try:
        build(job[1])
    except Exception:  # the page shows it, should the user choose this one
        _LOGGER.debug("Building %s ahead failed", job, exc_info=True)
    finally:
        with _lock:
            _queued.discard(job)


def wait_until_idle(timeout: float = 60.0) -> bool:
    """Wait until nothing is queued (tests and benchmarks); whether that happened in ``timeout``."""
    done = threading.Event()
    _worker.submit(done.set)  # runs after every job queued before it
    return done.wait(timeout)
