"""The load records a ``?dataset=<hash>`` link is restored from (pipeline/loading/loaded_records.py)."""

from __future__ import annotations

import json

import pytest

from pipeline.loading.dataset import load_transactions
from pipeline.loading.loaded_records import is_content_hash, read_loaded, record_path, save_loaded
from pipeline.loading.remembered import cache_paths

RECORD = {"content_hash": "", "name": "online_retail_sample_40k.xlsx", "rows_read": 40000}


@pytest.fixture
def cached_sample(sample_xlsx) -> str:
    """The real sample loaded into this test's cache; its content hash."""
    return load_transactions(sample_xlsx).content_hash


def test_only_64_lower_case_hex_digits_are_a_content_hash(sample_dataset):
    assert is_content_hash(sample_dataset.content_hash)
    for text in (
        sample_dataset.content_hash.upper(),
        sample_dataset.content_hash[:-1],
        sample_dataset.content_hash + "0",
        "../../etc/passwd",
        "0" * 62 + "/x",
        "٠" * 64,  # Arabic-Indic zeros: digits to str.isdigit, not hex digits here
        "",
        None,
        64,
    ):
        assert not is_content_hash(text), text


def test_a_saved_record_comes_back_with_its_cache_entry(cached_sample):
    record = dict(RECORD, content_hash=cached_sample)
    assert save_loaded(cached_sample, record)

    found = read_loaded(cached_sample)

    assert found == (record, cache_paths(cached_sample)[0])
    assert read_loaded(cached_sample.upper()) is None  # the same hash, not as the loader writes it


def test_no_record_is_found_once_the_cache_entry_is_gone(cached_sample):
    save_loaded(cached_sample, dict(RECORD, content_hash=cached_sample))
    cache_paths(cached_sample)[0].unlink()

    assert read_loaded(cached_sample) is None


def test_an_entry_the_loader_would_parse_again_under_a_lower_cell_limit_is_not_restored(
    cached_sample, monkeypatch
):
    save_loaded(cached_sample, dict(RECORD, content_hash=cached_sample))
    longest = json.loads(cache_paths(cached_sample)[1].read_text())["longest_cell"]
    monkeypatch.setenv("RFM_STUDIO_MAX_CELL_CHARS", str(longest - 1))

    assert read_loaded(cached_sample) is None


@pytest.mark.parametrize("damage", ["", "{not json", "[1, 2]"])
def test_a_damaged_record_is_no_record(cached_sample, damage):
    save_loaded(cached_sample, dict(RECORD, content_hash=cached_sample))
    record_path(cached_sample).write_text(damage)

    assert read_loaded(cached_sample) is None


def test_a_malformed_hash_names_no_file():
    with pytest.raises(ValueError):
        record_path("../../etc/passwd")
    assert not save_loaded("../x", RECORD)
    assert read_loaded("../x") is None
