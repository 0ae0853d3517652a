"""Upload -> first results in the app, against a peer Streamlit RFM app, in one AppTest harness.

Both apps get the same 541,909-row Latin-1 CSV (make_scaled.py) through ``st.file_uploader``
in Streamlit's AppTest, each in a fresh process (cold caches), repetitions alternating:

- this app: home page, Data page, source "Upload" (untimed), then timed: the upload (the
  file staged in the upload form: no rerun, as in a browser), pressing Load (read, normalise,
  cache, clean: "loaded", with the cleaning report on the page) and opening Segments (RFM
  scores, named segments, four charts: "first results");
- the peer (a public single-page app: upload a CSV, it cleans, computes RFM, runs KMeans,
  silhouette and PCA and draws the clusters): its first run (untimed; it shows a notice or a
  failed sample download: outbound connections are refused in its process), then timed: the
  upload, whose one rerun goes all the way to the clusters.

The peer's code is not part of this repository: pass the path of its script. If it needs
packages this project does not install (matplotlib, seaborn...), install them into a folder
of their own (``pip install --no-deps --target DIR ...``) and pass it with ``--peer-site``:
it is put on the peer's path only.

    python -m benchmarks.bench_upload --peer /tmp/peer/app.py --peer-site /tmp/peer/site [--reps 3]
    python -m benchmarks.bench_upload --peer ... --rows 20000 --reps 1     # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, machine_note, median_of
from benchmarks.make_full_workbook import FULL_ROWS
from benchmarks.make_scaled import scaled_file

APP = str(REPO_ROOT / "app.py")
TARGET_SPEEDUP = 2.0
TIMEOUT_SECONDS = 900


def _problems(at: Any) -> list[str]:
    return [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure_ours(csv_path: Path) -> dict[str, float]:
    """This app: upload, Load, Segments; seconds of each."""
    from streamlit.testing.v1 import AppTest

    from benchmarks.bench_pages import use_private_home

    use_private_home()
    data = csv_path.read_bytes()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.run()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="data_source").set_value("Upload").run()
    upload = _timed(lambda: at.file_uploader(key="data_upload").set_value((csv_path.name, data, "text/csv")))
    load = _timed(lambda: at.button(key="data_load").click().run())
    if _problems(at) or "active_dataset" not in at.session_state:
        raise RuntimeError(f"the Data page did not load the upload: {_problems(at)}")
    segments = _timed(lambda: at.switch_page("app_pages/segments.py").run())
    if _problems(at) or not at.get("plotly_chart"):
        raise RuntimeError(f"the Segments page drew no segments: {_problems(at)}")
    return {"upload": upload, "load": load, "segments": segments}


def refuse_outbound_connections() -> None:
    """No connection leaves this process (the peer's sample download fails at once, offline)."""
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
            raise ConnectionRefusedError(f"bench_upload: no network ({host})")
        return original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.getaddrinfo = lambda *args, **kwargs: (_ for _ in ()).throw(  # type: ignore[assignment]
        socket.gaierror("bench_upload: no network")
    )


def measure_peer(csv_path: Path, peer: Path) -> dict[str, float]:
    """The peer: its first run, then the upload, timed until its rerun ends (clusters drawn)."""
    from streamlit.testing.v1 import AppTest

    refuse_outbound_connections()
    data = csv_path.read_bytes()
    at = AppTest.from_file(str(peer), default_timeout=TIMEOUT_SECONDS)
    at.run()  # no upload yet: a notice, or the failed sample download
    if not at.file_uploader:
        raise RuntimeError(f"the peer app shows no file uploader: {_problems(at)}")
    clusters = _timed(lambda: at.file_uploader[0].set_value((csv_path.name, data, "text/csv")).run())
    if _problems(at):
        raise RuntimeError(f"the peer app failed on the upload: {_problems(at)}")
    return {"clusters": clusters, "elements": len(list(at.main))}


def child(kind: str, csv_path: Path, peer: Path | None) -> dict[str, float]:
    """Run one measurement in a fresh process and return its figures."""
    command = [sys.executable, "-m", "benchmarks.bench_upload", "--child", kind, "--csv", str(csv_path)]
    env = os.environ | {"MPLBACKEND": "Agg", "PYTHONPATH": str(REPO_ROOT)}
    if peer is not None:
        command += ["--peer", str(peer)]
    if kind == "peer" and os.environ.get("BENCH_PEER_SITE"):
        env["PYTHONPATH"] = os.pathsep.join([os.environ["BENCH_PEER_SITE"], str(REPO_ROOT)])
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
    )
    if result.returncode != 0:
        raise RuntimeError(f"the {kind} measurement failed: {result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Alternate fresh-process measurements of both apps; print medians and the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", type=Path, help="the peer app's script (not part of this repository)")
    parser.add_argument("--peer-site", type=Path, help="a folder of packages only the peer needs")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="rows of the CSV")
    parser.add_argument("--child", choices=("ours", "peer"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "ours":
        print(json.dumps(measure_ours(args.csv)))
        return 0
    if args.child == "peer":
        print(json.dumps(measure_peer(args.csv, args.peer)))
        return 0
    if args.peer is None:
        parser.error("--peer PATH is required (a peer Streamlit RFM app's script)")
    if args.peer_site is not None:
        os.environ["BENCH_PEER_SITE"] = str(args.peer_site.resolve())

    csv_path = scaled_file(1, "csv", args.rows)
    print(f"bench_upload: {machine_note('streamlit', 'pandas', 'pyarrow', 'scikit-learn')}")
    print(f"file: {csv_path.name} ({csv_path.stat().st_size / 1e6:.1f} MB); peer: {args.peer}")
    ours: list[dict[str, float]] = []
    peers: list[dict[str, float]] = []
    for rep in range(args.reps):
        order = ("ours", "peer") if rep % 2 == 0 else ("peer", "ours")
        for kind in order:
            if kind == "ours":
                ours.append(child("ours", csv_path, None))
            else:
                peers.append(child("peer", csv_path, args.peer.resolve()))
        print(f"  repetition {rep + 1}: ours {ours[-1]}, peer {peers[-1]}", flush=True)

    loaded = median_of([o["upload"] + o["load"] for o in ours])
    first_results = median_of([o["upload"] + o["load"] + o["segments"] for o in ours])
    clusters = median_of([p["clusters"] for p in peers])
    print(f"\nmedians of {args.reps} fresh-process repetitions (seconds):")
    print(f"  this app, upload -> loaded (cleaning report shown): {loaded:6.2f}")
    print(f"  this app, upload -> Segments drawn (first results): {first_results:6.2f}")
    print(f"  peer app, upload -> clusters drawn:                 {clusters:6.2f}")
    speedup = clusters / first_results
    verdict = "met" if speedup >= TARGET_SPEEDUP else "MISSED"
    print(
        f"  -> this app is {speedup:.1f}x faster to first results (target >= {TARGET_SPEEDUP:g}x: {verdict})"
    )
    print(f"     ({clusters / loaded:.1f}x to the loaded dataset)")
    return 0 if speedup >= TARGET_SPEEDUP else 1


if __name__ == "__main__":
    sys.exit(main())
