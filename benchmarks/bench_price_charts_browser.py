"""How long chromium takes to draw each of Prices' charts from scratch (round 9).

    python -m benchmarks.bench_price_charts_browser                 # synthetic predictions
    RFM_STUDIO_HOME=DIR python -m benchmarks.bench_price_charts_browser --run NAME --repeats 5

Streamlit 1.67 mounts a Plotly chart again whenever its figure changes, so a view's cost on a run
switch is, in the browser, about the time ``Plotly.newPlot`` takes to draw its figures. This times
that alone, without Streamlit: each figure (as ``pipeline.views.price_charts`` builds it, plus
variants to compare) drawn in a 450 px div by plotly.js in chromium (the same binary and flags as
bench_browser_pages), from ``newPlot`` to two animation frames after it resolved. Also printed:
each figure's JSON size (what the websocket carries). The predictions are a finished run's
(``--run``, read through the local backend of ``RFM_STUDIO_HOME``) or synthetic log-normal prices
(``--lines``; 39,251 is the test set of the full-scale workbook's run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from benchmarks.common import machine_note
from pipeline.views import price_charts

CHROMIUM = "/usr/bin/chromium"

#: Draws ``figure`` in the page's div from scratch; resolves with the milliseconds it took.
DRAW = """async (figure) => {
  const div = document.getElementById('chart');
  Plotly.purge(div);
  const start = performance.now();
  await Plotly.newPlot(div, figure.data, figure.layout, {responsive: true});
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return performance.now() - start;
}"""


def synthetic_predictions(lines: int, seed: int = 0) -> pd.DataFrame:
    """Test lines with log-normal prices and predictions off by a log-normal factor."""
    rng = np.random.default_rng(seed)
    actual = np.exp(rng.normal(1.0, 1.2, lines))
    predicted = actual * np.exp(rng.normal(0.0, 0.4, lines))
    return pd.DataFrame(
        {
            "StockCode": [f"{i % 4000:05d}" for i in range(lines)],
            "Description": ["A PRODUCT DESCRIPTION OF TYPICAL LENGTH"] * lines,
            "UnitPrice": actual,
            "Predicted": predicted,
            "Error": predicted - actual,
        }
    )


def run_predictions(name: str) -> pd.DataFrame:
    """The predictions of the local run ``name`` (RFM_STUDIO_HOME's)."""
    from pipeline.backends.local import LocalBackend
    from pipeline.local.client import LocalStepFunctionsClient

    backend = LocalBackend(LocalStepFunctionsClient(mode="thread"))
    arn = f"arn:aws:states:local:000000000000:execution:rfm-studio-price-regression:{name}"
    return backend.results(arn).predictions


def as_histogram(predictions: pd.DataFrame) -> go.Figure:
    """The residuals as before round 9: every error in a ``go.Histogram``, binned by plotly.js."""
    errors = predictions["Error"].to_numpy("float64")
    low, high = np.quantile(errors, price_charts.RESIDUAL_SPAN)
    inside = errors[(errors >= low) & (errors <= high)]
    figure = go.Figure(go.Histogram(x=inside, nbinsx=price_charts.RESIDUAL_BINS, marker_color="#4575b4"))
    figure.update_layout(title="Residuals (go.Histogram)", bargap=0.05, showlegend=False)
    return figure


def as_scattergl(predictions: pd.DataFrame, points: int = 5000) -> go.Figure:
    """Predicted against actual as before round 18: a fixed-seed sample of ``points`` test lines as a
    WebGL scatter on log axes, with the diagonal."""
    shown = predictions.sample(n=min(points, len(predictions)), random_state=0)
    shown = shown[(shown["Predicted"] > 0) & (shown["UnitPrice"] > 0)]
    figure = go.Figure(
        go.Scattergl(
            x=shown["UnitPrice"],
            y=shown["Predicted"],
            mode="markers",
            marker={"size": 5, "opacity": 0.5, "color": "#4575b4"},
            text=(shown["StockCode"] + " · " + shown["Description"]).tolist(),
            hovertemplate="%{text}<br>actual %{x:,.2f}<br>predicted %{y:,.2f}<extra></extra>",
        )
    )
    low = float(min(shown["UnitPrice"].min(), shown["Predicted"].min()))
    high = float(max(shown["UnitPrice"].max(), shown["Predicted"].max()))
    figure.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", line={"dash": "dash"}))
    figure.update_layout(
        title="Predicted against actual unit price (scattergl, before)",
        xaxis={"type": "log", "dtick": 1},
        yaxis={"type": "log", "dtick": 1},
    )
    return figure


def figures(predictions: pd.DataFrame) -> dict[str, go.Figure]:
    """The figures to time, by name: the page's own, then variants."""
    scores = {"train_rmse": 30.3, "validation_rmse": 27.5, "test_rmse": 25.1, "rmse_threshold": 30.0}
    importance = pd.DataFrame(
        {
            "Feature": ["StockCode", "Quantity", "CustomerID"],
            "Gain": [5.0, 2.0, 1.0],
            "Share": [0.62, 0.25, 0.13],
        }
    )
    return {
        "rmse (bars)": price_charts.rmse_chart(scores),
        "residuals (60 bars, binned here)": price_charts.residual_histogram(predictions),
        "residuals (go.Histogram, before)": as_histogram(predictions),
        "importance (bars)": price_charts.importance_chart(importance),
        "predicted (density + 100 points)": price_charts.predicted_vs_actual(predictions),
        "scatter (scattergl, 5,000 points, before)": as_scattergl(predictions),
        "scatter (scattergl, 1,000 points)": as_scattergl(predictions, 1000),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="a finished local price run's name (else synthetic predictions)")
    parser.add_argument("--lines", type=int, default=39_251, help="synthetic test lines")
    parser.add_argument("--repeats", type=int, default=5, help="draws of each figure")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    from plotly.offline import get_plotlyjs

    predictions = run_predictions(args.run) if args.run else synthetic_predictions(args.lines)
    specs = {name: json.loads(pio.to_json(figure)) for name, figure in figures(predictions).items()}
    print(machine_note("playwright"), flush=True)
    print(f"{len(predictions):,} test lines ({'run ' + args.run if args.run else 'synthetic'})\n")
    with tempfile.TemporaryDirectory(prefix="rfm-bench-charts-") as folder:
        page_file = Path(folder) / "page.html"
        page_file.write_text(
            "<html><body><div id='chart' style='width:450px;height:450px'></div>"
            f"<script>{get_plotlyjs()}</script></body></html>",
            encoding="utf-8",
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.as_uri())
            page.evaluate(DRAW, specs["rmse (bars)"])  # plotly.js warmed up: its first draw is not timed
            times: dict[str, list[float]] = {name: [] for name in specs}
            for _ in range(args.repeats):  # interleaved, so a busy moment hits every figure alike
                for name, spec in specs.items():
                    times[name].append(page.evaluate(DRAW, spec))
            browser.close()
    print(f"  {'figure':40} {'JSON':>9}  median ms (each draw), load average")
    for name, spec in specs.items():
        size = len(json.dumps(spec))
        samples = " ".join(f"{t:.0f}" for t in times[name])
        print(
            f"  {name:40} {size / 1000:7.0f} KB  {statistics.median(times[name]):6.0f}  ({samples})"
            f"  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
