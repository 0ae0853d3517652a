"""Choice states: every operator family, *Path variants, And/Or/Not, type tests, defaults."""

from __future__ import annotations

import pytest
from support.asl_support import machine, run

from pipeline.local.asl.choice import evaluate_rule, string_matches


def choose(rule: dict, data, default: bool = True):
    """Run a Choice with one rule; returns the name of the state reached (or the result)."""
    states = {
        "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}]},
        "Yes": {"Type": "Pass", "Result": "yes", "End": True},
        "No": {"Type": "Pass", "Result": "no", "End": True},
    }
    if default:
        states["C"]["Default"] = "No"
    else:
        del states["No"]
    result, _ = run(machine(states), data)
    return result.output if result.status == "SUCCEEDED" else result


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringEquals", "b", True),
        ("StringEquals", "c", False),
        ("StringLessThan", "c", True),
        ("StringGreaterThan", "a", True),
        ("StringLessThanEquals", "b", True),
        ("StringGreaterThanEquals", "c", False),
    ],
)
def test_string_comparisons(operator, value, expected):
    assert choose({"Variable": "$.v", operator: value}, {"v": "b"}) == ("yes" if expected else "no")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("NumericEquals", 2, True),
        ("NumericEquals", 2.5, False),
        ("NumericLessThan", 3, True),
        ("NumericGreaterThan", 1.5, True),
        ("NumericLessThanEquals", 2, True),
        ("NumericGreaterThanEquals", 3, False),
    ],
)
def test_numeric_comparisons(operator, value, expected):
    assert choose({"Variable": "$.v", operator: value}, {"v": 2}) == ("yes" if expected else "no")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("TimestampEquals", "2024-01-01T01:00:00+01:00", True),
        ("TimestampLessThan", "2024-01-01T00:00:01Z", True),
        ("TimestampGreaterThan", "2023-12-31T23:59:59Z", True),
        ("TimestampLessThanEquals", "2023-12-31T00:00:00Z", False),
        ("TimestampGreaterThanEquals", "2024-01-01T00:00:00Z", True),
    ],
)
def test_timestamp_comparisons_respect_offsets(operator, value, expected):
    assert choose({"Variable": "$.t", operator: value}, {"t": "2024-01-01T00:00:00Z"}) == (
        "yes" if expected else "no"
    )


def test_boolean_equals():
    assert choose({"Variable": "$.ok", "BooleanEquals": True}, {"ok": True}) == "yes"
    assert choose({"Variable": "$.ok", "BooleanEquals": True}, {"ok": 1}) == "no"


@pytest.mark.parametrize(
    "operator",
    [
        "StringEqualsPath",
        "NumericEqualsPath",
        "BooleanEqualsPath",
        "TimestampEqualsPath",
        "NumericLessThanEqualsPath",
    ],
)
def test_path_variants_compare_with_another_field(operator):
    # (value of $.a, a $.b that satisfies the rule, a $.b that does not)
    a, passing, failing = {
        "StringEqualsPath": ("s", "s", "t"),
        "NumericEqualsPath": (3, 3, 4),
        "BooleanEqualsPath": (False, False, True),
        "TimestampEqualsPath": ("2024-05-01T10:00:00Z", "2024-05-01T12:00:00+02:00", "2024-05-01T10:00:01Z"),
        "NumericLessThanEqualsPath": (3, 4, 2),
    }[operator]
    assert choose({"Variable": "$.a", operator: "$.b"}, {"a": a, "b": passing}) == "yes"
    assert choose({"Variable": "$.a", operator: "$.b"}, {"a": a, "b": failing}) == "no"


def test_numeric_greater_than_path_is_false_when_smaller():
    assert choose({"Variable": "$.a", "NumericGreaterThanPath": "$.b"}, {"a": 1, "b": 2}) == "no"


def test_comparing_values_of_the_wrong_type_is_false_not_an_error():
    assert choose({"Variable": "$.v", "NumericEquals": 1}, {"v": "1"}) == "no"
    assert choose({"Variable": "$.v", "StringEquals": "1"}, {"v": 1}) == "no"
    assert choose({"Variable": "$.v", "NumericEquals": 1}, {"v": True}) == "no"


def test_and_or_not_combine_rules():
    rule = {
        "And": [
            {"Variable": "$.n", "NumericGreaterThan": 1},
            {
                "Or": [
                    {"Not": {"Variable": "$.s", "IsPresent": True}},
                    {"Variable": "$.s", "StringEquals": "a"},
                ]
            },
        ]
    }
    assert choose(rule, {"n": 2, "s": "a"}) == "yes"
    assert choose(rule, {"n": 2}) == "yes"
    assert choose(rule, {"n": 2, "s": "b"}) == "no"
    assert choose(rule, {"n": 0, "s": "a"}) == "no"


@pytest.mark.parametrize(
    ("test", "value", "expected"),
    [
        ("IsNull", None, True),
        ("IsNull", 0, False),
        ("IsNumeric", 1.5, True),
        ("IsNumeric", True, False),
        ("IsString", "x", True),
        ("IsString", 1, False),
        ("IsBoolean", False, True),
        ("IsBoolean", "true", False),
        ("IsTimestamp", "2024-02-29T12:00:00.5Z", True),
        ("IsTimestamp", "2024-02-29 12:00", False),
    ],
)
def test_type_tests(test, value, expected):
    assert evaluate_rule({"Variable": "$.v", test: True}, {"v": value}) is expected
    assert evaluate_rule({"Variable": "$.v", test: False}, {"v": value}) is (not expected)


def test_is_present_handles_missing_fields_without_error():
    assert choose({"Variable": "$.missing", "IsPresent": False}, {}) == "yes"
    assert choose({"Variable": "$.missing", "IsPresent": True}, {}) == "no"


def test_a_missing_variable_fails_with_states_runtime():
    result = choose({"Variable": "$.missing", "NumericEquals": 1}, {})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


def test_no_match_without_default_fails_with_no_choice_matched():
    result = choose({"Variable": "$.v", "NumericEquals": 1}, {"v": 2}, default=False)
    assert (result.status, result.error) == ("FAILED", "States.NoChoiceMatched")


def test_first_matching_rule_wins():
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.v", "NumericGreaterThan": 0, "Next": "First"},
                {"Variable": "$.v", "NumericGreaterThan": 1, "Next": "Second"},
            ],
        },
        "First": {"Type": "Pass", "Result": 1, "End": True},
        "Second": {"Type": "Pass", "Result": 2, "End": True},
    }
    assert run(machine(states), {"v": 5})[0].output == 1


def test_choice_applies_input_path_then_output_path():
    states = {
        "C": {
            "Type": "Choice",
            "InputPath": "$.inner",
            "OutputPath": "$.keep",
            "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "S"}],
        },
        "S": {"Type": "Succeed"},
    }
    assert run(machine(states), {"inner": {"v": 1, "keep": "k"}})[0].output == "k"


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("log-2024.csv", "log-*.csv", True),
        ("log-2024.txt", "log-*.csv", False),
        ("a*b", "a\\*b", True),
        ("axb", "a\\*b", False),
        ("anything", "*", True),
    ],
)
def test_string_matches_wildcards_and_escaped_stars(value, pattern, expected):
    assert string_matches(value, pattern) is expected
    assert choose({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) == (
        "yes" if expected else "no"
    )


def test_variable_may_read_the_context_object():
    rule = {"Variable": "$$.Execution.Input.flag", "BooleanEquals": True}
    assert choose(rule, {"flag": True}) == "yes"
