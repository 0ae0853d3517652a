"""``python -m pipeline rfm``: report and segment counts on stdout, CSV out, exit 2 on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.analysis.rfm import SEGMENTS

REPO_ROOT = Path(__file__).resolve().parents[2]
CSV_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would (the test's RFM_STUDIO_HOME is inherited)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "rfm", *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def default_run(sample_xlsx, tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], pd.DataFrame]:
    out = tmp_path_factory.mktemp("cli") / "rfm.csv"
    result = run_cli(sample_xlsx, "--out", out)
    assert result.returncode == 0, result.stderr
    return result, pd.read_csv(out)


def test_writes_one_row_per_customer_with_the_rfm_columns(default_run, sample_clean):
    _, table = default_run
    clean, report = sample_clean
    assert {"CustomerID", "Recency", "Frequency", "Monetary", "R", "F", "M", "Segment"} <= set(table.columns)
    assert table["CustomerID"].is_unique
    assert len(table) == report.customers == clean["CustomerID"].nunique()
    assert table["Segment"].isin(SEGMENTS).all()


def test_prints_the_cleaning_report(default_run, sample_clean):
    result, _ = default_run
    _, report = sample_clean
    assert f"{report.rows_read:,}" in result.stdout
    assert f"{report.rows_kept:,}" in result.stdout
    for reason, rows in report.removed():
        line = next(line for line in result.stdout.splitlines() if reason in line)
        assert line.split()[-1] == f"{rows:,}"


def test_prints_the_count_of_every_segment_present(default_run):
    result, table = default_run
    lines = result.stdout.splitlines()
    for segment, customers in table["Segment"].value_counts().items():
        line = next(line for line in lines if line.strip().startswith(segment + " "))
        assert f"{customers:,}" in line.split()


def test_country_option_scores_only_that_countrys_customers(sample_xlsx, sample_clean, tmp_path):
    clean, _ = sample_clean
    out = tmp_path / "germany.csv"
    result = run_cli(sample_xlsx, "--country", "Germany", "--out", out)
    assert result.returncode == 0, result.stderr
    expected = set(clean.loc[clean["Country"] == "Germany", "CustomerID"].astype(int))
    assert set(pd.read_csv(out)["CustomerID"]) == expected


def test_as_of_option_shifts_recency(sample_xlsx, default_run, tmp_path):
    _, table = default_run
    out = tmp_path / "later.csv"
    result = run_cli(sample_xlsx, "--as-of", "2012-01-09", "--out", out)  # default is 2011-12-10
    assert result.returncode == 0, result.stderr
    later = pd.read_csv(out)
    assert (later["Recency"] == table["Recency"] + 30).all()


def test_a_file_that_is_no_spreadsheet_exits_2_with_the_message(tmp_path):
    junk = tmp_path / "photo.xlsx"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    result = run_cli(junk)
    assert result.returncode == 2
    assert "not a spreadsheet" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_csv_missing_columns_exits_2_naming_them(tmp_path):
    partial = tmp_path / "partial.csv"
    partial.write_text("InvoiceNo,Quantity,InvoiceDate\n536365,6,2010-12-01 08:26\n", encoding="utf-8")
    result = run_cli(partial)
    assert result.returncode == 2
    assert "CustomerID" in result.stderr and "UnitPrice" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_country_exits_2_listing_the_known_ones(tmp_path):
    data = tmp_path / "tiny.csv"
    data.write_text(CSV_HEADER + "536365,85123A,HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n")
    result = run_cli(data, "--country", "Narnia")
    assert result.returncode == 2
    assert "Narnia" in result.stderr and "United Kingdom" in result.stderr


def test_an_as_of_before_the_last_invoice_exits_2(tmp_path):
    data = tmp_path / "tiny.csv"
    data.write_text(CSV_HEADER + "536365,85123A,HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n")
    result = run_cli(data, "--as-of", "2010-11-30")
    assert result.returncode == 2
    assert "before the last invoice" in result.stderr


def test_a_date_that_is_no_date_exits_2_before_the_file_is_read(sample_xlsx):
    result = run_cli(sample_xlsx, "--start", "2011-13-01")

    assert result.returncode == 2
    assert "2011-13-01" in result.stderr
    assert "Cleaning report" not in result.stdout  # nothing printed as if the run were going well


def test_an_out_file_in_a_missing_folder_exits_2_and_makes_no_folder(tmp_path):
    data = tmp_path / "tiny.csv"
    data.write_text(CSV_HEADER + "536365,85123A,HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n")
    out = tmp_path / "no-such-folder" / "rfm.csv"
    result = run_cli(data, "--out", out)
    assert result.returncode == 2
    assert f"the folder {out.parent} does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.parent.exists()


def test_an_out_path_ending_in_a_separator_is_refused_not_written_as_a_file(tmp_path):
    data = tmp_path / "tiny.csv"
    data.write_text(CSV_HEADER + "536365,85123A,HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n")
    folder = f"{tmp_path / 'results'}/"  # Path("results/") would be the file "results"
    result = run_cli(data, "--out", folder)
    assert result.returncode == 2
    assert f"{folder} names a folder: add the name of the file to write in it" in result.stderr
    assert not (tmp_path / "results").exists()
