"""Intrinsic functions, evaluated through Pass states as a definition uses them."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import pytest
from support.asl_support import machine, run


def evaluate(expression: str, data=None):
    definition = machine({"P": {"Type": "Pass", "Parameters": {"v.$": expression}, "End": True}})
    result, _ = run(definition, data or {})
    return result


def value(expression: str, data=None):
    result = evaluate(expression, data)
    assert result.status == "SUCCEEDED", result.cause
    return result.output["v"]


def test_format_fills_placeholders_with_literals_and_paths():
    assert (
        value("States.Format('Hello {}, you are {}', $.name, 42)", {"name": "Ana"}) == "Hello Ana, you are 42"
    )


def test_format_keeps_escaped_braces_and_quotes():
    assert value("States.Format('\\{x\\} it\\'s {}', 'y')") == "{x} it's y"


def test_format_with_wrong_argument_count_is_an_intrinsic_failure():
    result = evaluate("States.Format('{} {}', 'one')")
    assert (result.status, result.error) == ("FAILED", "States.IntrinsicFailure")


def test_string_to_json_parses_and_json_to_string_serialises_compactly():
    assert value("States.StringToJson($.s)", {"s": '{"a": [1, 2]}'}) == {"a": [1, 2]}
    assert value("States.JsonToString($.o)", {"o": {"a": [1, 2]}}) == '{"a":[1,2]}'


def test_array_builds_a_list_of_mixed_arguments():
    assert value("States.Array('a', 1, true, null, $.x)", {"x": {"k": 1}}) == ["a", 1, True, None, {"k": 1}]


def test_array_helpers():
    data = {"a": [1, 2, 2, 3, 4]}
    assert value("States.ArrayLength($.a)", data) == 5
    assert value("States.ArrayContains($.a, 3)", data) is True
    assert value("States.ArrayPartition($.a, 2)", data) == [[1, 2], [2, 3], [4]]
    assert value("States.ArrayGetItem($.a, 4)", data) == 4
    assert value("States.ArrayUnique($.a)", data) == [1, 2, 3, 4]
    assert value("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]


def test_math_add_and_random_in_range():
    assert value("States.MathAdd($.n, -3)", {"n": 10}) == 7
    assert 1 <= value("States.MathRandom(1, 5)") <= 5


def test_encoding_and_hash_agree_with_the_standard_library():
    encoded = value("States.Base64Encode('données')")
    assert base64.b64decode(encoded).decode() == "données"
    assert value(f"States.Base64Decode('{encoded}')") == "données"
    assert value("States.Hash('abc', 'SHA-256')") == hashlib.sha256(b"abc").hexdigest()


def test_json_merge_is_shallow_and_right_wins():
    data = {"a": {"x": 1, "y": {"p": 1}}, "b": {"y": {"q": 2}}}
    assert value("States.JsonMerge($.a, $.b, false)", data) == {"x": 1, "y": {"q": 2}}


def test_string_split_on_any_delimiter_character():
    assert value("States.StringSplit('a,b;c', ',;')") == ["a", "b", "c"]


def test_uuid_is_a_version_4_uuid():
    assert uuid.UUID(value("States.UUID()")).version == 4


def test_calls_nest_and_paths_may_hold_commas_and_parentheses():
    data = {"items": [{"n": 1}, {"n": 5}], "a,b": "comma"}
    assert value("States.ArrayLength(States.Array($.items[?(@.n > 2)], $['a,b']))", data) == 2
    assert value("States.JsonToString(States.StringToJson('[1]'))") == "[1]"


def test_context_paths_work_as_arguments():
    result = run(
        machine(
            {
                "P": {
                    "Type": "Pass",
                    "Parameters": {"v.$": "States.Format('{}', $$.Execution.Name)"},
                    "End": True,
                }
            }
        ),
        {},
        context={"Execution": {"Name": "exec-1"}},
    )[0]
    assert result.output == {"v": "exec-1"}


@pytest.mark.parametrize(
    "expression", ["States.Nope(1)", "States.StringToJson('{bad')", "States.ArrayGetItem($.a, 9)"]
)
def test_bad_calls_fail_the_state_with_intrinsic_failure(expression):
    result = evaluate(expression, {"a": [1]})
    assert (result.status, result.error) == ("FAILED", "States.IntrinsicFailure")


def test_a_missing_path_argument_is_a_runtime_error():
    result = evaluate("States.Format('{}', $.missing)")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")


def test_json_to_string_output_round_trips():
    text = value("States.JsonToString($)", {"é": [1.5, None]})
    assert json.loads(text) == {"é": [1.5, None]}
