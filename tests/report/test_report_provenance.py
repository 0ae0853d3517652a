"""Which dataset a report names: the file the user loaded and the Parquet copy the run read.

A run launched from the command line (as the app does) on the sample xlsx: the loader caches
the Parquet it parsed under the xlsx's own hash, the run stores those very bytes under theirs.
The report once showed only the copy's hash, labelled "Dataset SHA-256", which matched neither
the file nor the app's ``?dataset=`` value.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from pipeline.__main__ import main
from pipeline.backends.local import LocalBackend
from pipeline.hashing import content_hash
from pipeline.loading.remembered import cache_paths
from pipeline.report.build import build_report
from pipeline.workflows.runs import execution_input_of


@pytest.fixture(scope="module")
def cli_run(sample_xlsx, tmp_path_factory):
    """One clustering run of the sample xlsx through ``python -m pipeline run --wait``: its home and ARN."""
    home = tmp_path_factory.mktemp("report-provenance-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RFM_STUDIO_HOME", str(home))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["run", str(sample_xlsx), "--k", "3", "--threshold", "0", "--wait"])
    lines = out.getvalue().splitlines()
    assert code == 0, lines
    return home, lines[0]


def _provenance(html: str) -> dict[str, str]:
    section = html[html.index("<h3>Provenance</h3>") : html.index("<h3>Versions</h3>")]
    return dict(re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", section))


def test_the_report_names_the_loaded_files_hash_and_the_parquet_copys(cli_run, sample_xlsx, monkeypatch):
    home, arn = cli_run
    monkeypatch.setenv("RFM_STUDIO_HOME", str(home))
    backend = LocalBackend()
    stored = backend.storage.read_bytes(execution_input_of(backend.describe(arn))["DataUri"])

    rows = _provenance(build_report(backend, arn).html)

    assert rows["Loaded file SHA-256"] == content_hash(sample_xlsx)
    assert rows["Stored Parquet SHA-256"] == content_hash(stored) != content_hash(sample_xlsx)
    assert "Dataset SHA-256" not in rows


def test_without_the_files_cache_entry_the_loaded_hash_is_said_unknown(cli_run, sample_xlsx, monkeypatch):
    home, arn = cli_run
    monkeypatch.setenv("RFM_STUDIO_HOME", str(home))
    parquet, _ = cache_paths(content_hash(sample_xlsx))
    moved = parquet.with_name(parquet.name + ".away")
    parquet.rename(moved)
    try:
        rows = _provenance(build_report(LocalBackend(), arn).html)
    finally:
        moved.rename(parquet)

    assert rows["Loaded file SHA-256"].startswith("not known here: the run records only its Parquet copy")
    assert len(rows["Stored Parquet SHA-256"]) == 64
