"""Hostile definitions and inputs given to ``python -m pipeline local-run``: a message and an exit
status, never a traceback (each case was measured taking the process down or gigabytes of memory)."""

from __future__ import annotations

import json

from pipeline.__main__ import main


def deep_parallel_text(levels: int) -> str:
    text = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
    for level in range(levels):
        state = f'{{"Type":"Parallel","Branches":[{text}],"End":true}}'
        text = f'{{"StartAt":"X{level}","States":{{"X{level}":{state}}}}}'
    return text


def run_cli(tmp_path, capsys, definition: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "machine.json"
    path.write_text(definition)
    code = main(["local-run", str(path), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_definition_300_parallel_states_deep_exits_2_with_a_message(tmp_path, capsys):
    code, _, err = run_cli(tmp_path, capsys, deep_parallel_text(300))
    assert code == 2
    # Python's JSON parser gives up first at the default recursion limit; where a library has
    # raised that limit, the engine's own depth bound answers.
    assert "nested too deeply" in err or "nests more than 200 levels deep" in err
    assert "Traceback" not in err


def test_a_definition_60_parallel_states_deep_exits_2_naming_the_engines_bound(tmp_path, capsys):
    code, _, err = run_cli(tmp_path, capsys, deep_parallel_text(60))
    assert code == 2
    assert "nests more than 200 levels deep" in err


def test_an_endless_loop_ends_failed_at_aws_history_quota(tmp_path, capsys):
    loop = json.dumps({"StartAt": "Spin", "States": {"Spin": {"Type": "Pass", "Next": "Spin"}}})
    code, out, _ = run_cli(tmp_path, capsys, loop)
    assert code == 1
    assert json.loads(out)["cause"] == "The execution reached the maximum number of history events (25000)."


def test_an_array_range_of_a_hundred_million_fails_without_building_it(tmp_path, capsys):
    machine = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Parameters": {"r.$": "States.ArrayRange(0, 100000000, 1)"}, "End": True}
        },
    }
    code, out, _ = run_cli(tmp_path, capsys, json.dumps(machine))
    assert (code, json.loads(out)["error"]) == (1, "States.IntrinsicFailure")


def test_a_5_mb_input_to_string_split_fails_with_data_limit_exceeded(tmp_path, capsys):
    machine = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "States.StringSplit($.s, ',')"}, "End": True}},
    }
    big_input = tmp_path / "input.json"
    big_input.write_text(json.dumps({"s": "a," * 2_500_000}))
    code, out, _ = run_cli(tmp_path, capsys, json.dumps(machine), "--input", f"@{big_input}")
    assert (code, json.loads(out)["error"]) == (1, "States.DataLimitExceeded")


def test_a_machine_timeout_of_1e11_seconds_exits_2(tmp_path, capsys):
    machine = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}, "TimeoutSeconds": 100000000000}
    code, _, err = run_cli(tmp_path, capsys, json.dumps(machine))
    assert code == 2 and "TimeoutSeconds must be an integer from 1 to 99999999" in err
