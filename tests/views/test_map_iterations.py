"""A Map state's iterations read from real engine histories: status, input, output, training job."""

from __future__ import annotations

import threading

from support.asl_support import BlockingResources, FakeResources, fail, machine, run

from pipeline.local.asl.interpreter import run_state_machine
from pipeline.views.execution_view import step_runs, timeline, visit_name
from pipeline.views.map_iterations import (
    ABORTED,
    CAUGHT,
    FAILED,
    NOT_STARTED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    item_fields,
    map_runs,
    progress_label,
    visit_labels,
)
from pipeline.workflows.clustering.build import workflow_definition as clustering_definition
from pipeline.workflows.clustering.sweep_steps import SWEEP_STATE

TRAIN = "arn:aws:states:::sagemaker:createTrainingJob.sync"


def sweep_like(catch: bool = True, max_concurrency: int = 2) -> dict:
    """A Map of training jobs named after each item, a failure caught into "k failed" (or not)."""
    train = {
        "Type": "Task",
        "Resource": TRAIN,
        "Parameters": {"TrainingJobName.$": "$.TrainingJobName"},
        "ResultPath": "$.training",
        "End": True,
    }
    states = {"Train k": train}
    if catch:
        train["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "k failed"}]
        states["k failed"] = {"Type": "Pass", "Parameters": {"status": "FAILED", "k.$": "$.k"}, "End": True}
    return machine(
        {
            "Try each k": {
                "Type": "Map",
                "ItemsPath": "$.ks",
                "MaxConcurrency": max_concurrency,
                "ItemSelector": {
                    "k.$": "$$.Map.Item.Value",
                    "TrainingJobName.$": "States.Format('run-k{}', $$.Map.Item.Value)",
                },
                "Iterator": machine(states),
                "End": True,
            }
        }
    )


class FailingK(FakeResources):
    """Training fails for the ks in ``failing``; the others return their job name."""

    def __init__(self, failing: set[int]) -> None:
        super().__init__()
        self.failing = failing

    def invoke(self, resource, parameters, *, state_name, timeout):
        if int(parameters["TrainingJobName"].rsplit("k", 1)[1]) in self.failing:
            raise fail("SageMaker.AmazonSageMakerException", "k is larger than the number of rows")
        return {"TrainingJobName": parameters["TrainingJobName"]}


def test_each_iteration_has_its_input_output_and_training_job():
    result, events = run(sweep_like(), {"ks": [2, 3, 4]}, FailingK(set()))
    assert result.status == "SUCCEEDED"
    [sweep] = map_runs(events)
    assert (sweep.name, sweep.length, sweep.ended) == ("Try each k", 3, True)
    assert [i.index for i in sweep.iterations] == [0, 1, 2]
    for iteration, k in zip(sweep.iterations, [2, 3, 4], strict=True):
        assert iteration.status == SUCCEEDED
        assert iteration.input == {"k": k, "TrainingJobName": f"run-k{k}"}
        assert iteration.output["training"] == {"TrainingJobName": f"run-k{k}"}
        assert iteration.training_job == f"run-k{k}"
    assert sweep.counts()[SUCCEEDED] == 3


def test_a_failure_caught_inside_an_iteration_is_counted_as_caught_with_its_error():
    result, events = run(sweep_like(), {"ks": [2, 3, 9]}, FailingK({9}))
    assert result.status == "SUCCEEDED"
    [sweep] = map_runs(events)
    caught = sweep.iterations[2]
    assert caught.status == CAUGHT
    assert caught.error == "SageMaker.AmazonSageMakerException"
    assert "larger than the number of rows" in caught.cause
    assert caught.states == ["Train k", "k failed"]
    assert caught.output == {"status": "FAILED", "k": 9}
    assert sweep.counts()[SUCCEEDED] == 2 and sweep.counts()[CAUGHT] == 1


def test_an_uncaught_failure_fails_its_iteration():
    result, events = run(sweep_like(catch=False, max_concurrency=1), {"ks": [9, 2]}, FailingK({9}))
    assert result.status == "FAILED"
    [sweep] = map_runs(events)
    assert sweep.iterations[0].status == FAILED
    assert sweep.iterations[0].error == "SageMaker.AmazonSageMakerException"
    assert sweep.ended


def test_while_the_map_runs_the_items_not_started_yet_are_pending():
    resources = BlockingResources()
    seen: list[dict] = []
    worker = threading.Thread(
        target=run_state_machine,
        args=(sweep_like(max_concurrency=2), {"ks": [2, 3, 4, 5]}),
        kwargs={"resources": resources, "on_event": seen.append},
    )
    worker.start()
    try:
        assert resources.wait_until_running(2)
        [sweep] = map_runs(list(seen))
        counts = sweep.counts()
        assert (counts[RUNNING], counts[PENDING], counts[SUCCEEDED]) == (2, 2, 0)
        assert not sweep.ended
    finally:
        resources.release.set()
        worker.join(30)
    [sweep] = map_runs(seen)
    assert sweep.counts()[SUCCEEDED] == 4 and sweep.counts()[PENDING] == 0


def test_a_stopped_map_counts_its_aborted_iteration_and_the_items_it_never_started():
    resources = BlockingResources()
    seen: list[dict] = []
    cancel = threading.Event()
    worker = threading.Thread(
        target=run_state_machine,
        args=(sweep_like(max_concurrency=1), {"ks": [2, 3, 4, 5]}),
        kwargs={"resources": resources, "on_event": seen.append, "cancel": cancel},
    )
    worker.start()
    assert resources.wait_until_running(1)

    cancel.set()  # the Stop button: the run ends ABORTED with one iteration in flight
    worker.join(30)

    [sweep] = map_runs(seen)
    counts = sweep.counts()
    assert sweep.ended
    assert (counts[ABORTED], counts[NOT_STARTED], counts[PENDING]) == (1, 3, 0)
    assert sum(counts.values()) == sweep.length == 4  # every item is counted somewhere
    assert progress_label(sweep) == "0/4 done, 1 aborted, 3 not started"


def test_each_visit_of_a_sweep_says_which_k_it_was_in_the_timeline():
    """The k sweep's timeline read "Train k" once a k, with no k: each visit now names its item,
    the k its iteration was given, matched to the training job that k's visit really asked for."""
    result, events = run(sweep_like(), {"ks": [2, 3, 4]}, FailingK({3}))
    assert result.status == "SUCCEEDED"
    labels = visit_labels(events, sweep_like())
    steps = step_runs(events, result.status)

    named = [visit_name(step, labels) for step in steps]
    assert sorted(named) == sorted(
        ["Try each k", "Train k (k=2)", "Train k (k=3)", "k failed (k=3)", "Train k (k=4)"]
    )
    for step in steps:
        if step.name == "Train k":  # the label follows the visit's own iteration, interleaved or not
            assert labels[step.event_id] == f"k={step.parameters['TrainingJobName'].rsplit('k', 1)[1]}"
    assert list(timeline(steps, iterations=labels)["Step"]) == named


def test_a_map_that_does_not_hand_its_item_over_as_one_field_names_the_iteration_by_index():
    definition = sweep_like()
    definition["States"]["Try each k"]["ItemSelector"] = {
        "TrainingJobName.$": "States.Format('run-k{}', $$.Map.Item.Value)"
    }
    result, events = run(definition, {"ks": [2, 3]}, FailingK(set()))
    assert result.status == "SUCCEEDED"

    labels = visit_labels(events, definition)

    assert item_fields(definition) == {}
    assert sorted(labels.values()) == ["iteration 0", "iteration 1"]


def test_the_clustering_workflows_sweep_hands_each_iteration_its_k():
    assert item_fields(clustering_definition()) == {SWEEP_STATE: "k"}
    nested = machine({"Both": {"Type": "Parallel", "Branches": [sweep_like()], "End": True}})
    assert item_fields(nested) == {"Try each k": "k"}
