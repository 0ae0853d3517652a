"""`python -m pipeline run` starts its run without work it does not need.

An unchanged file loaded before is taken from the loader's cache without reading it or
importing pandas, and the one run of a command gets a plain worker process rather than a warm
worker server whose imports only pay off over many runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.backends import get_backend
from pipeline.commands.run import canonical_parquet
from pipeline.loading.dataset import load_transactions
from pipeline.loading.remembered import cache_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop_file(sample_xlsx, tmp_path) -> Path:
    path = tmp_path / "shop.xlsx"
    path.write_bytes(sample_xlsx.read_bytes())
    return path


def test_an_unchanged_file_loaded_before_is_the_loaders_cache_entry_without_pandas(shop_file):
    loaded = load_transactions(shop_file)
    probe = (
        "import json, sys\n"
        "from pipeline.commands.run import canonical_parquet\n"
        f"path, name = canonical_parquet({str(shop_file)!r})\n"
        "print(json.dumps([str(path), name, 'pandas' in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    path, name, pandas_imported = json.loads(done.stdout)
    assert Path(path) == loaded.cache_path and name == "shop.xlsx"
    assert pandas_imported is False


def test_a_file_never_loaded_goes_through_the_loader_and_is_remembered(shop_file):
    path, name = canonical_parquet(str(shop_file))
    assert (path, name) == (load_transactions(shop_file).cache_path, "shop.xlsx")
    assert path.is_file()


def test_a_changed_file_is_loaded_again_not_taken_from_the_old_entry(sample_dataset, tmp_path):
    shop = tmp_path / "shop.csv"
    sample_dataset.transactions.head(500).to_csv(shop, index=False)
    first, _ = canonical_parquet(str(shop))
    sample_dataset.transactions.head(800).to_csv(shop, index=False)
    os.utime(shop, ns=(shop.stat().st_atime_ns, shop.stat().st_mtime_ns + 1_000_000))

    second, _ = canonical_parquet(str(shop))

    assert second != first
    assert len(load_transactions(shop).transactions) == 800


def test_a_damaged_cache_entry_is_rebuilt_by_the_loader(shop_file):
    loaded = load_transactions(shop_file)
    _, meta = cache_paths(loaded.content_hash)
    meta.write_text("{not json")

    path, _ = canonical_parquet(str(shop_file))

    assert path == loaded.cache_path
    assert json.loads(meta.read_text())["schema"] == loaded.schema


def test_a_single_run_command_gets_a_plain_worker_process_and_the_app_a_warm_server():
    assert get_backend("local", single_run=True).client.mode == "process"
    assert get_backend("local").client.mode == "warm"
