"""``python -m pipeline local-run DEFINITION.json [--input JSON]``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.__main__ import main

PASS = {
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Parameters": {"twice.$": "States.Array($.n, $.n)"}, "End": True}},
}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Too.Small", "Cause": "n < 10"}}}


def write(tmp_path, definition, name="machine.json"):
    path = tmp_path / name
    path.write_text(json.dumps(definition))
    return path


def test_a_succeeding_run_prints_one_json_object_and_exits_zero(tmp_path, capsys):
    code = main(["local-run", str(write(tmp_path, PASS)), "--input", '{"n": 3}'])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    assert printed == {"status": "SUCCEEDED", "output": {"twice": [3, 3]}, "error": None, "cause": None}


def test_a_failing_run_prints_error_and_cause_and_exits_non_zero(tmp_path, capsys):
    code = main(["local-run", str(write(tmp_path, FAIL))])
    printed = json.loads(capsys.readouterr().out)
    assert code == 1
    assert printed == {"status": "FAILED", "output": None, "error": "Too.Small", "cause": "n < 10"}


def test_an_invalid_definition_lists_its_problems_and_exits_two(tmp_path, capsys):
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}, "B": {"Type": "Succeed"}}}
    code = main(["local-run", str(write(tmp_path, broken))])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "'Gone'" in captured.err and "State 'B' is not reachable" in captured.err


def test_input_may_come_from_a_file(tmp_path, capsys):
    input_file = tmp_path / "input.json"
    input_file.write_text('{"n": 5}')
    assert main(["local-run", str(write(tmp_path, PASS)), "--input", f"@{input_file}"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == {"twice": [5, 5]}


def test_input_that_is_not_json_is_reported(tmp_path, capsys):
    assert main(["local-run", str(write(tmp_path, PASS)), "--input", "{n: 1}"]) == 2
    assert "execution input is not valid JSON" in capsys.readouterr().err


def test_a_missing_definition_file_is_reported(tmp_path, capsys):
    assert main(["local-run", str(tmp_path / "absent.json")]) == 2
    assert "Cannot read the definition file" in capsys.readouterr().err


def test_the_module_entry_point_runs_the_command(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "local-run", str(write(tmp_path, PASS)), "--input", '{"n": 1}'],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["output"] == {"twice": [1, 1]}
