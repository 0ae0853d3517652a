"""The Map state (inline): the processor on every item of ItemsPath, MaxConcurrency at a time.

MaxConcurrency is fixed in the definition; MaxConcurrencyPath reads it from the effective
input when the state runs (a non-negative integer, else ``States.Runtime`` as on AWS), so one
definition can take the bound from each execution's input.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pipeline.local.asl.errors import RUNTIME, StatesError
from pipeline.local.asl.events import Thread
from pipeline.local.asl.paths import require
from pipeline.local.asl.runtime import Execution, Scope
from pipeline.local.asl.states.base import (
    Machine,
    MachineParser,
    ResultState,
    optional_template,
    result_fields,
)
from pipeline.local.asl.states.fan_out import MAX_THREADS, fan_out
from pipeline.local.asl.templates import Template
from pipeline.local.asl.values import to_json


@dataclass(frozen=True, kw_only=True)
class MapState(ResultState):
    type = "Map"
    items_path: str = "$"
    item_selector: Template | None = None
    processor: Machine
    max_concurrency: int = 0
    max_concurrency_path: str | None = None

    @classmethod
    def parse(cls, name: str, raw: dict, parse_machine: MachineParser) -> MapState:
        """A Map state from its validated definition (ItemSelector or legacy Parameters,
        ItemProcessor or legacy Iterator)."""
        fields = result_fields(name, raw)
        fields["parameters"] = None  # on a Map, Parameters is the legacy name of ItemSelector
        selector = "ItemSelector" if "ItemSelector" in raw else "Parameters"
        return cls(
            **fields,
            items_path=raw.get("ItemsPath", "$"),
            item_selector=optional_template(name, raw, selector),
            processor=parse_machine(raw["ItemProcessor"] if "ItemProcessor" in raw else raw["Iterator"]),
            max_concurrency=raw.get("MaxConcurrency", 0),
            max_concurrency_path=raw.get("MaxConcurrencyPath"),
        )

    def concurrency(self, effective: Any, context: dict) -> int:
        """MaxConcurrency, or the non-negative integer MaxConcurrencyPath reads from the effective input."""
        if self.max_concurrency_path is None:
            return self.max_concurrency
        path = self.max_concurrency_path
        value = require(path, effective, context, field="MaxConcurrencyPath")
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            shown = value if isinstance(value, str) else to_json(value)
            raise StatesError(
                RUNTIME,
                f'The MaxConcurrencyPath field refers to value "{shown}" '
                f"which is not a valid integer: {path}",
            )
        if value < 0:
            raise StatesError(
                RUNTIME, f"Expected non-negative integer for MaxConcurrency, got '{int(value)}' instead."
            )
        return int(value)


def run_map(
    execution: Execution, state: MapState, data: Any, thread: Thread, scope: Scope, context: dict
) -> tuple[str | None, Any]:
    """One iteration an item, at most MaxConcurrency (0: no limit but ours) at once."""
    effective = state.effective_input(data, context)
    max_concurrency = state.concurrency(effective, context)
    items = require(state.items_path, effective, context, field="ItemsPath")
    if not isinstance(items, list):
        raise StatesError(
            RUNTIME,
            f"The ItemsPath '{state.items_path}' of Map state '{state.name}' must point to an array, "
            f"got {to_json(items)}",
        )
    runs = []
    for index, item in enumerate(items):
        if state.item_selector is None:
            item_input = copy.deepcopy(item)
        else:
            item_context = dict(context, Map={"Item": {"Index": index, "Value": item}})
            item_input = state.item_selector.build(effective, item_context)
        runs.append((state.processor, item_input, index))
    thread.emit("MapStateStarted", {"length": len(items)})
    workers = min(max_concurrency or MAX_THREADS, MAX_THREADS)
    results = fan_out(execution, runs, thread, scope, workers, state.name, kind="Map")
    return None, state.finish(data, results, context)
