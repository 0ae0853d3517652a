"""Retry and Catch of Task, Parallel and Map states: retriers, catchers, and which error they match.

As AWS documents it, ``States.ALL`` matches every error but ``States.Runtime`` and
``States.DataLimitExceeded`` (which no retrier or catcher handles), and ``States.TaskFailed``
matches every error but ``States.Timeout``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipeline.local.asl.errors import ALL, DATA_LIMIT_EXCEEDED, RUNTIME, TASK_FAILED, TIMEOUT
from pipeline.local.asl.limits import MAX_DELAY_SECONDS

#: Errors that neither Retry nor Catch can handle.
UNCATCHABLE = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED})


def error_matches(names: tuple[str, ...], error: str) -> bool:
    """Whether an ``ErrorEquals`` list matches ``error``."""
    if error in UNCATCHABLE:
        return False
    return any(name in (error, ALL) or (name == TASK_FAILED and error != TIMEOUT) for name in names)


@dataclass(frozen=True)
class Retrier:
    """One entry of Retry, its defaults resolved (1 s, 3 attempts, backoff 2.0, no jitter)."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter: str = "NONE"

    @classmethod
    def parse(cls, raw: dict) -> Retrier:
        """A retrier from its (validated) definition."""
        return cls(
            tuple(raw["ErrorEquals"]),
            raw.get("IntervalSeconds", 1),
            raw.get("MaxAttempts", 3),
            raw.get("BackoffRate", 2.0),
            raw.get("MaxDelaySeconds"),
            raw.get("JitterStrategy", "NONE"),
        )

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0).

        The backoff never grows past MaxDelaySeconds, nor past the largest value that field
        accepts when it is not set (so 99,999,999 attempts cannot overflow).
        """
        cap = MAX_DELAY_SECONDS if self.max_delay_seconds is None else self.max_delay_seconds
        try:
            delay = min(self.interval_seconds * self.backoff_rate**attempt, cap)
        except OverflowError:
            delay = cap
        if self.jitter == "FULL":
            delay = random.uniform(0, delay)
        return delay


@dataclass(frozen=True)
class Catcher:
    """One entry of Catch: the errors it handles, where the error goes, the state to go to."""

    error_equals: tuple[str, ...]
    next: str
    result_path: str | None = "$"

    @classmethod
    def parse(cls, raw: dict) -> Catcher:
        """A catcher from its (validated) definition."""
        return cls(tuple(raw["ErrorEquals"]), raw["Next"], raw.get("ResultPath", "$"))


def parse_retriers(raw: list | None) -> tuple[Retrier, ...]:
    """The Retry list (empty when absent)."""
    return tuple(Retrier.parse(item) for item in raw or ())


def parse_catchers(raw: list | None) -> tuple[Catcher, ...]:
    """The Catch list (empty when absent)."""
    return tuple(Catcher.parse(item) for item in raw or ())
