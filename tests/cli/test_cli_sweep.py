"""``python -m pipeline run INPUT --k-range LOW-HIGH [--pick] [--max-concurrency]`` on the local backend."""

from __future__ import annotations

import pytest

from pipeline.__main__ import main
from pipeline.local.client import LocalStepFunctionsClient
from pipeline.workflows.clustering.sweep_steps import PICK_STATE, SWEEP_STATE, TRAIN_K_STATE


@pytest.mark.slow
def test_run_with_a_k_range_sweeps_then_goes_on_with_the_picked_k(sample_xlsx, capsys):
    code = main(["run", str(sample_xlsx), "--k-range", "2-4", "--threshold", "0", "--wait"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0, lines
    entered = [line.split("-> ", 1)[1] for line in lines if "  -> " in line]
    assert entered.count(TRAIN_K_STATE) == 3
    assert entered.index(SWEEP_STATE) < entered.index(PICK_STATE) < entered.index("Save model")
    assert "Train KMeans" not in entered
    [headline] = [line for line in lines if line.startswith("k: ")]
    k = int(headline.removeprefix("k: "))
    assert 2 <= k <= 4
    assert f"chosen k: {k}" in lines
    sizes = lines.index("cluster sizes:")
    assert all(line.startswith("  ") for line in lines[sizes + 1 : sizes + 1 + k])
    [sweep] = [line for line in lines if line.startswith("Sweep k 2-4, rule silhouette")]
    assert sweep.endswith(f"chose k = {k}")
    scored = {int(line.split("k=")[1].split()[0]): line for line in lines if "silhouette 0." in line}
    assert sorted(scored) == [2, 3, 4]
    assert scored[k].startswith(" * ")
    best = max(scored, key=lambda each: float(scored[each].split("silhouette ")[1].split()[0]))
    assert best == k


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--k-range", "1-4"], "must run from at least 2 up to at most 20"),
        (["--k-range", "2-3", "--pick", "elbow"], "The elbow rule needs at least 3 values of k"),
        (["--k-range", "2-6", "--max-concurrency", "0"], "concurrency must be a whole number from 1 to 40"),
        (["--k-range", "7-9", "--country", "Poland"], "too few for k=7, the smallest k of the sweep"),
    ],
)
def test_run_refuses_a_sweep_that_cannot_succeed_with_exit_status_2_and_starts_nothing(
    sample_xlsx, capsys, options, message
):
    assert main(["run", str(sample_xlsx), *options]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert LocalStepFunctionsClient().list_state_machines()["stateMachines"] == []


@pytest.mark.parametrize(
    "options", [["--k-range", "2..10"], ["--k", "3", "--k-range", "2-4"], ["--pick", "gap"]]
)
def test_run_options_that_do_not_parse_exit_2_saying_which(sample_xlsx, capsys, options):
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(sample_xlsx), *options])
    assert exit_.value.code == 2
    assert "--k-range" in capsys.readouterr().err or "--pick" in " ".join(options)
