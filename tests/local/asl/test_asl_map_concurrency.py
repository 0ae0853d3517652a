"""Map's MaxConcurrencyPath: the bound read from the state input, as AWS and moto read it.

The clustering sweep takes its concurrency from the execution input this way: the SDK's Map
writes only a fixed MaxConcurrency, so the workflow adds MaxConcurrencyPath.
"""

from __future__ import annotations

import threading

import pytest
from support.asl_support import LAMBDA, BlockingResources, machine, run

from pipeline.local.asl.errors import DefinitionError
from pipeline.local.asl.validation import validate_definition


def sweep(**fields) -> dict:
    processor = machine({"Work": {"Type": "Task", "Resource": LAMBDA, "End": True}})
    return machine(
        {"M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "End": True, **fields}}
    )


def run_blocked(definition: dict, execution_input: dict, expected_running: int) -> tuple:
    """Run with tasks that block until ``expected_running`` are in flight at once (then a grace time)."""
    resources = BlockingResources()

    def release_once_reached():
        assert resources.wait_until_running(expected_running)
        # Had the bound been ignored, more iterations would start within this grace time.
        resources.release.wait(0.3)
        resources.release.set()

    releaser = threading.Thread(target=release_once_reached)
    releaser.start()
    result, _ = run(definition, execution_input, resources)
    releaser.join(30)
    return result, resources


@pytest.mark.timeout(30)
@pytest.mark.parametrize("limit", [1, 3])
def test_max_concurrency_path_bounds_the_iterations_running_at_once(limit):
    result, resources = run_blocked(
        sweep(MaxConcurrencyPath="$.limit"), {"items": list(range(6)), "limit": limit}, limit
    )
    assert result.status == "SUCCEEDED"
    assert resources.max_running == limit


@pytest.mark.timeout(30)
def test_max_concurrency_path_of_zero_runs_every_iteration_at_once():
    result, resources = run_blocked(
        sweep(MaxConcurrencyPath="$.limit"), {"items": list(range(5)), "limit": 0}, 5
    )
    assert (result.status, resources.max_running) == ("SUCCEEDED", 5)


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("two", 'The MaxConcurrencyPath field refers to value "two" which is not a valid integer: $.limit'),
        (1.5, 'The MaxConcurrencyPath field refers to value "1.5" which is not a valid integer: $.limit'),
        (True, 'The MaxConcurrencyPath field refers to value "true" which is not a valid integer: $.limit'),
        (-1, "Expected non-negative integer for MaxConcurrency, got '-1' instead."),
    ],
)
def test_a_max_concurrency_path_value_that_is_no_count_fails_with_states_runtime(value, cause):
    result, _ = run(sweep(MaxConcurrencyPath="$.limit"), {"items": [1], "limit": value})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert (
        result.cause
        == f"An error occurred while executing the state 'M' (entered at the event id #2). {cause}"
    )


def test_a_missing_max_concurrency_path_fails_with_states_runtime_even_under_a_catch():
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    definition = sweep(MaxConcurrencyPath="$.limit", Catch=catch)
    definition["States"]["M"].pop("End")
    definition["States"]["M"]["Next"] = "Done"
    definition["States"].update({"Done": {"Type": "Succeed"}, "Caught": {"Type": "Succeed"}})
    result, _ = run(definition, {"items": [1]})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "'$.limit'" in result.cause and "MaxConcurrencyPath" in result.cause


def test_max_concurrency_and_its_path_together_are_refused():
    with pytest.raises(DefinitionError, match="both MaxConcurrency and MaxConcurrencyPath"):
        validate_definition(sweep(MaxConcurrency=2, MaxConcurrencyPath="$.limit"))


def test_a_max_concurrency_path_that_is_not_a_reference_path_is_refused():
    with pytest.raises(DefinitionError, match="MaxConcurrencyPath"):
        validate_definition(sweep(MaxConcurrencyPath="$.limits[*]"))
