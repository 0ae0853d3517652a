"""A run store that cannot be used gives a clear message (RunStoreError), never a sqlite3 traceback."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline.__main__ import main
from pipeline.errors import StudioError
from pipeline.local.client import LocalStepFunctionsClient
from pipeline.local.store import RunStore, RunStoreError

ARN = "arn:aws:states:local:000000000000:execution:rfm-studio-clustering:some-run"


@pytest.fixture
def corrupt_store(studio_home):
    path = studio_home / "runs.sqlite"
    path.write_bytes(b"this is not a SQLite database, just some text that landed here\n" * 64)
    return path


def test_a_corrupt_store_is_a_studio_error_naming_the_file_and_what_to_do(corrupt_store):
    with pytest.raises(RunStoreError) as raised:
        RunStore()
    message = str(raised.value)
    assert str(corrupt_store) in message and "Move it aside" in message
    assert isinstance(raised.value, StudioError)
    assert not isinstance(raised.value, sqlite3.Error)


def test_the_local_client_over_a_corrupt_store_raises_the_same_error(corrupt_store):
    with pytest.raises(RunStoreError):
        LocalStepFunctionsClient()


def test_a_store_that_cannot_be_opened_is_a_studio_error(studio_home):
    (studio_home / "runs.sqlite").mkdir()  # a directory where the database file should be
    with pytest.raises(RunStoreError, match="cannot be used"):
        RunStore()


def test_a_store_whose_directory_is_a_file_is_a_studio_error(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file")
    with pytest.raises(RunStoreError, match="cannot be used"):
        RunStore(blocker / "runs.sqlite")


def test_a_store_damaged_after_it_was_opened_is_a_studio_error(studio_home):
    store = RunStore()
    store.close()
    (studio_home / "runs.sqlite").write_bytes(b"\0garbage" * 4096)
    for leftover in studio_home.glob("runs.sqlite-*"):  # the WAL and shared-memory files
        leftover.unlink()
    with pytest.raises(RunStoreError):
        RunStore().get_execution(ARN)


def test_status_over_a_corrupt_store_exits_2_with_the_message(corrupt_store, capsys):
    assert main(["status", ARN]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The local run store") and "Traceback" not in err


def test_run_over_a_corrupt_store_exits_2_with_the_message(corrupt_store, sample_xlsx, capsys):
    assert main(["run", str(sample_xlsx)]) == 2
    err = capsys.readouterr().err
    assert "The local run store" in err and str(corrupt_store) in err and "Traceback" not in err
