"""Start-up and run latency (issue 10): page opens, the SDK's imports, launch -> SUCCEEDED, `run --wait`.

    python -m benchmarks.bench_startup                       # this checkout only
    python -m benchmarks.bench_startup --before DIR          # and another checkout, same run

Every figure comes from a fresh process (the checkout's own code, ``cwd`` and ``PYTHONPATH`` set
to it), each checkout with its own fresh ``RFM_STUDIO_HOME``; the two checkouts are measured
one after the other for each figure, so they meet about the same machine load.

1. Pages (AppTest, the bundled 40k sample): app.py's first run (Home; with importing AppTest,
   and the run alone), then the Launch page
   opened after a Load, in a process with a cold data directory and again in a second process
   over the same data directory ("warm": the on-disk definition cache filled). Also whether
   ``stepfunctions`` or ``sagemaker`` were imported. Targets: Launch < 1 s warm, no SDK import.
2. Run latency (``LocalBackend`` as the app makes it, after its preflight as Home runs it):
   three runs of the sample (k=4), each: ``launch()``, launch -> SUCCEEDED seen, the time inside
   the tasks (TaskStarted -> TaskSucceeded), and the rest ("not work"). Target: launch ->
   SUCCEEDED within 2 s.
3. ``python -m pipeline run --wait SAMPLE``: from spawning the process to the execution's start
   date ("start-up before the run starts") and to its first state (a warm server that is still
   importing delays the first state, not the start date), and the whole process; twice (the
   first fills the definition cache). Target: start-up < 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO_ROOT, machine_note, median_of

SAMPLE = "data/sample/online_retail_sample_40k.xlsx"

PAGES_PROBE = """
import json, sys, time
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
t1 = time.perf_counter()
at = AppTest.from_file("app.py", default_timeout=900)
at.run()
home = time.perf_counter() - t0
home_run = time.perf_counter() - t1
sdk_home = [m for m in ("stepfunctions", "sagemaker") if m in sys.modules]
at.switch_page("app_pages/data.py").run()
at.button(key="data_load").click().run()
t = time.perf_counter()
at.switch_page("app_pages/launch.py").run()
launch = time.perf_counter() - t
t = time.perf_counter()
at.run()
rerun = time.perf_counter() - t
errors = [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]
print(json.dumps({"home": home, "home_run": home_run, "launch": launch, "rerun": rerun, "sdk_home": sdk_home,
    "sdk_launch": [m for m in ("stepfunctions", "sagemaker") if m in sys.modules], "errors": errors}))
"""

RUN_PROBE = """
import json, sys, time
from pathlib import Path
from pipeline.backends.local import LocalBackend
from pipeline.workflows.clustering.parameters import ClusteringParameters
backend = LocalBackend()
backend.preflight()
runs = []
for _ in range(int(sys.argv[1])):
    t = time.perf_counter()
    arn = backend.launch(Path(sys.argv[2]), ClusteringParameters(k=4))
    launched = time.perf_counter() - t
    while backend.describe(arn)["status"] == "RUNNING":
        time.sleep(0.01)
    seen = time.perf_counter() - t
    described = backend.describe(arn)
    events = backend.history(arn)
    started = {}
    inside = 0.0
    for event in events:
        if event["type"] == "TaskStarted":
            started["at"] = event["timestamp"]
        elif event["type"] in ("TaskSucceeded", "TaskFailed") and "at" in started:
            inside += (event["timestamp"] - started.pop("at")).total_seconds()
    first_state = next(e["timestamp"] for e in events if e["type"].endswith("StateEntered"))
    runs.append({"status": described["status"], "launch": launched, "seen": seen, "tasks": inside,
        "to_first_state": (first_state - events[0]["timestamp"]).total_seconds(),
        "execution": (described["stopDate"] - described["startDate"]).total_seconds()})
print(json.dumps(runs))
"""

LAST_START_PROBE = """
import json
from pipeline.backends.local import LocalBackend
backend = LocalBackend(client=None)
item = backend.list_executions()[0]
events = backend.history(item["executionArn"])
first_state = next(e["timestamp"] for e in events if e["type"].endswith("StateEntered"))
print(json.dumps({"start": item["startDate"].timestamp(), "stop": item["stopDate"].timestamp(),
    "first_state": first_state.timestamp(), "status": item["status"]}))
"""


def checkout_env(tree: Path, home: Path) -> dict[str, str]:
    """The environment of a process of ``tree`` over ``home``. Compiled modules are kept, as an
    installed app's are: this machine's shell sets PYTHONDONTWRITEBYTECODE, under which a fresh
    ``git archive`` ("before") compiled every module in every process and this checkout did not."""
    env = dict(os.environ, RFM_STUDIO_HOME=str(home), PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def probe(tree: Path, home: Path, code: str, *args: str) -> object:
    """Run ``code`` in a fresh interpreter in ``tree`` over ``home``; its last stdout line as JSON."""
    env = checkout_env(tree, home)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe failed in {tree}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_run(tree: Path, home: Path) -> dict[str, float]:
    """``python -m pipeline run --wait SAMPLE``: start-up to the execution's start, and the whole."""
    env = checkout_env(tree, home)
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--wait", SAMPLE],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    whole = time.time() - spawned
    if done.returncode != 0:
        raise RuntimeError(f"run --wait failed in {tree}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    last = probe(tree, home, LAST_START_PROBE)
    assert isinstance(last, dict)
    return {
        "startup": last["start"] - spawned,
        "first_state": last["first_state"] - spawned,
        "whole": whole,
        "execution": last["stop"] - last["start"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--runs", type=int, default=3, help="local runs of the sample (default 3)")
    parser.add_argument("--pages-only", action="store_true", help="part 1 only (the pages)")
    parser.add_argument("--warm-runs", type=int, default=1, help="warm page probes per checkout (default 1)")
    args = parser.parse_args(argv)
    trees = {"after": REPO_ROOT}
    if args.before:
        trees = {"before": args.before.resolve(), **trees}
    homes = {label: Path(tempfile.mkdtemp(prefix=f"rfm-bench-startup-{label}-")) for label in trees}
    print(machine_note("streamlit", "stepfunctions", "sagemaker", "scikit-learn"), flush=True)

    print("\n1. Pages (AppTest; seconds). cold = first process on a new data directory, warm = the next")
    for phase in ["cold"] + ["warm"] * args.warm_runs:
        for label, tree in trees.items():
            result = probe(tree, homes[label], PAGES_PROBE)
            assert isinstance(result, dict)
            print(
                f"  {label:6} {phase}: app.py first run (Home) {result['home']:6.2f} (the run alone "
                f"{result['home_run']:5.2f})   Launch opened "
                f"{result['launch']:6.2f}   Launch rerun {result['rerun']:5.2f}   SDK imported: Home "
                f"{result['sdk_home'] or 'none'}, after Launch {result['sdk_launch'] or 'none'}"
                + (f"   ERRORS {result['errors']}" if result["errors"] else ""),
                flush=True,
            )

    if args.pages_only:
        return 0
    print(f"\n2. Run latency: LocalBackend after preflight, {args.runs} runs of the sample (k=4; seconds)")
    for label, tree in trees.items():
        runs = probe(tree, homes[label], RUN_PROBE, str(args.runs), SAMPLE)
        assert isinstance(runs, list)
        for number, run in enumerate(runs, 1):
            rest = run["seen"] - run["tasks"]
            print(
                f"  {label:6} run {number}: {run['status']}  launch() {run['launch']:5.2f}  launch -> "
                f"SUCCEEDED {run['seen']:5.2f}  (execution {run['execution']:5.2f}, start -> first state "
                f"{run['to_first_state']:5.2f}, inside tasks {run['tasks']:5.2f}, not work {rest:5.2f})",
                flush=True,
            )
        later = runs[1:] or runs
        seen = median_of([run["seen"] for run in later])
        rest = median_of([run["seen"] - run["tasks"] for run in later])
        print(
            f"  {label:6} median of runs 2..: launch -> SUCCEEDED {seen:.2f} s (target <= 2 s), "
            f"not work {rest:.2f} s",
            flush=True,
        )

    print("\n3. python -m pipeline run --wait SAMPLE (seconds; the first fills the definition cache)")
    for attempt in (1, 2):
        for label, tree in trees.items():
            result = cli_run(tree, homes[label])
            print(
                f"  {label:6} #{attempt}: start-up before the run starts {result['startup']:5.2f} "
                f"(target < 1.5)   spawn -> first state {result['first_state']:5.2f}   execution "
                f"{result['execution']:5.2f}   whole process {result['whole']:5.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
