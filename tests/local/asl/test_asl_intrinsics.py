"""Intrinsic functions, evaluated through Pass states as a definition uses them."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import pytest
from support.asl_support import machine, run

from pipeline.local.asl.errors import DefinitionError


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


# -- AWS's behaviour where Python's would differ ---------------------------------------------
def test_math_add_rounds_non_integers_half_up_as_aws_does():
    """AWS: "If you specify a non-integer value ... Step Functions rounds it to the nearest
    integer" (Java's Math.round: 1.5 -> 2, -1.5 -> -1). moto agrees (see the differential test)."""
    assert value("States.MathAdd($.a, 1)", {"a": 1.5}) == 3
    assert value("States.MathAdd($.a, 0)", {"a": -1.5}) == -1
    assert value("States.MathAdd(2.4, 0.4)") == 2


def test_math_add_refuses_booleans_and_strings():
    assert evaluate("States.MathAdd(true, 1)").error == "States.IntrinsicFailure"
    assert evaluate("States.MathAdd('1', 1)").error == "States.IntrinsicFailure"


def test_array_range_accepts_non_integers_and_rounds_them_half_up():
    """AWS rounds like Java (0.5 -> 1, 2.5 -> 3). moto differs: it uses Python's round
    (half to even), so ArrayRange(0.5, 2.5, 1) is [0, 1, 2] there."""
    assert value("States.ArrayRange($.a, $.b, 1)", {"a": 0.5, "b": 2.5}) == [1, 2, 3]
    assert value("States.ArrayRange(0.4, 3.6, 1.2)") == [0, 1, 2, 3, 4]


def test_array_range_counts_down_with_a_negative_step():
    assert value("States.ArrayRange(5, 1, -2)") == [5, 3, 1]


def test_array_range_gives_at_most_a_thousand_items():
    """AWS documents the bound (1,000 items); moto enforces it too but names the error
    States.Runtime. Nothing is built: the count is checked first (1e8 items took 4 GB)."""
    assert value("States.ArrayRange(1, 1000, 1)")[-1] == 1000
    result = evaluate("States.ArrayRange(0, 100000000, 1)")
    assert (result.status, result.error) == ("FAILED", "States.IntrinsicFailure")
    assert "100000001 items; the limit is 1000" in result.cause


def test_array_partition_rounds_a_non_integer_chunk_size():
    assert value("States.ArrayPartition($.a, 1.6)", {"a": [1, 2, 3, 4, 5]}) == [[1, 2], [3, 4], [5]]


def test_array_partition_refuses_a_chunk_size_that_rounds_to_zero():
    result = evaluate("States.ArrayPartition($.a, 0.4)", {"a": [1]})
    assert (result.status, result.error) == ("FAILED", "States.IntrinsicFailure")


def test_format_escaped_backslash_before_a_placeholder_gives_one_backslash():
    r"""'a\\{}b' is an escaped backslash, then a placeholder. moto keeps both backslashes."""
    definition = machine(
        {"P": {"Type": "Pass", "Parameters": {"v.$": "States.Format('a\\\\{}b', $.x)"}, "End": True}}
    )
    assert run(definition, {"x": "X"})[0].output == {"v": "a\\Xb"}


def test_format_escaped_braces_are_literal_braces_not_a_placeholder():
    assert value("States.Format('\\{\\} {}', 'x')") == "{} x"


def test_escapes_in_a_plain_string_argument_give_the_characters():
    r"""Outside Format a backslash only escapes: States.Array('\{x\}') is ["{x}"].

    moto keeps the backslashes."""
    assert value("States.Array('\\{x\\}', 'it\\'s')") == ["{x}", "it's"]


def test_a_format_template_from_the_input_fills_its_placeholders():
    assert value("States.Format($.t, $.n)", {"t": "Hello, my name is {}.", "n": "Arnav"}) == (
        "Hello, my name is Arnav."
    )


def test_array_unique_keeps_true_apart_from_1_and_false_apart_from_0():
    """JSON equality, not Python's (True == 1). moto uses Python's: [true, false] here."""
    data = {"a": [True, 1, False, 0, 1, True, {"k": 1, "j": 2}, {"j": 2, "k": 1}]}
    assert value("States.ArrayUnique($.a)", data) == [True, 1, False, 0, {"k": 1, "j": 2}]


def test_array_contains_compares_as_json():
    """moto answers true for 1 in [true] and false in [0]."""
    assert value("States.ArrayContains($.a, 1)", {"a": [True]}) is False
    assert value("States.ArrayContains($.a, false)", {"a": [0]}) is False
    assert (
        value("States.ArrayContains($.a, $.o)", {"a": [{"x": 1, "y": [2]}], "o": {"y": [2], "x": 1}}) is True
    )


@pytest.mark.parametrize("function", ["Base64Encode", "Hash"])
def test_hash_and_base64_take_at_most_ten_thousand_characters(function):
    extra = ", 'SHA-256'" if function == "Hash" else ""
    assert evaluate(f"States.{function}($.s{extra})", {"s": "x" * 10_000}).status == "SUCCEEDED"
    result = evaluate(f"States.{function}($.s{extra})", {"s": "x" * 10_001})
    assert (result.status, result.error) == ("FAILED", "States.IntrinsicFailure")
    assert "at most 10000 characters" in result.cause


def test_array_get_item_refuses_a_negative_or_boolean_index():
    assert evaluate("States.ArrayGetItem($.a, -1)", {"a": [1, 2]}).error == "States.IntrinsicFailure"
    assert evaluate("States.ArrayGetItem($.a, true)", {"a": [1, 2]}).error == "States.IntrinsicFailure"


def test_more_than_ten_nested_calls_are_a_definition_error():
    """AWS: "You can nest up to 10 intrinsic functions within a field"."""
    ten = "States.ArrayLength(" + "States.Array(" * 9 + "1" + ")" * 9 + ")"
    assert value(ten) == 1
    eleven = "States.Array(" + ten + ")"
    with pytest.raises(DefinitionError, match="nests more than 10 intrinsic functions"):
        run(machine({"P": {"Type": "Pass", "Parameters": {"v.$": eleven}, "End": True}}))


def test_a_format_result_past_256_kib_is_refused_as_it_is_built():
    data = {"s": "x" * 100_000}
    result = evaluate("States.Format('{}{}{}', $.s, $.s, $.s)", data)
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")
    assert "States.Format returned a result with a size exceeding" in result.cause


def test_an_intrinsic_result_past_256_kib_fails_with_data_limit_exceeded():
    result = evaluate("States.Array($.s, $.s, $.s)", {"s": "x" * 100_000})
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")


def test_non_finite_number_literals_are_not_json():
    with pytest.raises(DefinitionError, match="not a JSON number"):
        run(machine({"P": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd(1e999, 1)"}, "End": True}}))
