"""A definition that passed the engine's checks is not checked again (pipeline/local/asl/validated.py).

The local backend's preflight validates every workflow's definition on the first page of a server
process; the outcome depends only on the definition's text and the validator's code, so a pass
is remembered on disk and a failure never is.
"""

from __future__ import annotations

import pytest

from pipeline.backends.local import LocalBackend
from pipeline.local.asl import validated, validation
from pipeline.local.asl.errors import DefinitionError
from pipeline.local.client import LocalStepFunctionsClient
from pipeline.workflows.registry import WORKFLOWS

PASSES = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "Result": {"k": 4}, "End": True}}}
FAILS = {"StartAt": "Missing", "States": {"Only": {"Type": "Pass", "End": True}}}


@pytest.fixture
def validations(monkeypatch) -> list[dict]:
    """Every definition the real validator is asked to check in this test."""
    checked: list[dict] = []
    real = validation.validate_definition

    def counting(definition, *args, **kwargs):
        checked.append(definition)
        return real(definition, *args, **kwargs)

    monkeypatch.setattr(validation, "validate_definition", counting)
    return checked


def test_a_definition_that_passed_is_not_validated_again(validations):
    validated.validate_once(PASSES)
    validated.validate_once(PASSES)

    assert validations == [PASSES]


def test_a_changed_definition_is_validated_again(validations):
    changed = {**PASSES, "States": {"Only": {"Type": "Pass", "Result": {"k": 5}, "End": True}}}

    validated.validate_once(PASSES)
    validated.validate_once(changed)

    assert validations == [PASSES, changed]


def test_a_failing_definition_raises_its_problems_every_time(validations):
    for _ in range(2):
        with pytest.raises(DefinitionError, match="Missing"):
            validated.validate_once(FAILS)

    assert validations == [FAILS, FAILS]


def test_another_validator_version_validates_again(validations, monkeypatch):
    validated.validate_once(PASSES)
    monkeypatch.setattr(validated, "validator_version", lambda: "another validator")

    validated.validate_once(PASSES)

    assert validations == [PASSES, PASSES]


def test_the_preflight_validates_each_workflow_once_per_data_directory(validations):
    backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))

    first = backend.preflight()
    again = LocalBackend(LocalStepFunctionsClient(mode="thread")).preflight()

    assert [check.ok for check in first] == [check.ok for check in again] == [True, True]
    assert len(validations) == len(WORKFLOWS)
