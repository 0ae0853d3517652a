"""``python -m pipeline report``, ``list`` and ``status`` by run name, on real local runs of the sample."""

from __future__ import annotations

import datetime as dt

from pipeline.__main__ import main
from pipeline.commands.list_runs import COLUMNS, format_duration


def _name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def test_report_by_run_name_writes_one_html_file_of_that_run(in_report_home, tmp_path, capsys):
    out = tmp_path / "run.html"
    name = _name(in_report_home.arns["k3"])

    assert main(["report", name, "--out", str(out)]) == 0

    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert f"Customer clustering report: {name}" in html
    assert f"Wrote the report of {name} to {out} (8 charts)." in capsys.readouterr().err


def test_report_by_execution_arn_is_the_same_run(in_report_home, tmp_path):
    out = tmp_path / "by-arn.html"
    assert main(["report", in_report_home.arns["gate"], "--out", str(out)]) == 0
    assert f"<td>{in_report_home.arns['gate']}</td>" in out.read_text(encoding="utf-8")


def test_report_of_an_unknown_run_exits_2_pointing_to_list(in_report_home, tmp_path, capsys):
    assert main(["report", "rfm-nothing-like-it", "--out", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert "No run called 'rfm-nothing-like-it' on the local backend" in err
    assert "python -m pipeline list" in err
    assert not (tmp_path / "x.html").exists()


def test_list_shows_each_run_with_workflow_status_start_and_duration_newest_first(in_report_home, capsys):
    assert main(["list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == list(COLUMNS)
    expected = []
    for label in ("gate", "k3"):  # launched second, so listed first
        description = in_report_home.descriptions[label]
        took = (description["stopDate"] - description["startDate"]).total_seconds()
        expected.append(
            [
                description["name"],
                "clustering",
                description["status"],
                *f"{description['startDate']:%Y-%m-%d %H:%M:%S}".split(),
                *format_duration(took).split(),
            ]
        )
    assert [row.split() for row in rows] == expected


def test_list_limit_says_how_many_older_runs_it_left_out(in_report_home, capsys):
    assert main(["list", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith(_name(in_report_home.arns["gate"]))
    assert lines[2] == "(1 older runs not shown: raise --limit to see them.)"


def test_list_without_runs_says_how_to_start_one(capsys):
    assert main(["list"]) == 0
    assert capsys.readouterr().out.strip() == (
        "No runs on the local backend yet: start one with `python -m pipeline run INPUT`."
    )


def test_status_accepts_the_run_name_the_app_shows(in_report_home, capsys):
    name = _name(in_report_home.arns["gate"])
    assert main(["status", name]) == 1  # the run FAILED at its quality gate
    out = capsys.readouterr().out
    assert f"Run:       {name}" in out
    assert f"Execution: {in_report_home.arns['gate']}" in out
    assert "Status:    FAILED" in out


def test_durations_read_in_seconds_minutes_or_hours():
    assert format_duration(12.34) == "12.3 s"
    assert format_duration(dt.timedelta(minutes=4, seconds=5).total_seconds()) == "4 min 05 s"
    assert format_duration(dt.timedelta(hours=2, minutes=3).total_seconds()) == "2 h 03 min"


def test_a_missing_input_file_message_speaks_of_the_command_line_not_uploads(tmp_path, capsys):
    assert main(["rfm", str(tmp_path / "missing.xlsx")]) == 2
    err = capsys.readouterr().err
    assert f"There is no file at '{tmp_path / 'missing.xlsx'}': check the path" in err
    assert "upload" not in err.lower()


def test_a_report_into_a_missing_folder_is_refused_and_no_folder_is_made(in_report_home, tmp_path, capsys):
    out = tmp_path / "typo" / "deeper" / "run.html"

    assert main(["report", in_report_home.arns["gate"], "--out", str(out)]) == 2

    err = capsys.readouterr().err
    assert f"the folder {out.parent} does not exist" in err
    assert f"mkdir -p {out.parent}" in err
    assert not (tmp_path / "typo").exists()
