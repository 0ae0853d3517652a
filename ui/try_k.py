"""Launch's "Try k": a quick KMeans preview for k = 2..10 on the run's features, outside the workflow.

Drawn inside Launch's parameters fragment (app_pages/launch.py), since it follows the parameters
(country, as-of) and offers "Use k = best", which sets the k field; its computation and the
session's memory of it live in ``ui.launch`` (``k_table``, ``try_k_wanted``, ``use_k``).
"""

from __future__ import annotations

import streamlit as st

from pipeline.analysis import k_selection
from pipeline.views import charts
from pipeline.workflows.clustering.parameters import ClusteringParameters
from ui import launch
from ui.errors import show_error
from ui.layout import plotly
from ui.state import ActiveDataset


def try_k_section(active: ActiveDataset, params: ClusteringParameters) -> None:
    """The Try k expander: the button, then the elbow and silhouette chart, the best k and its table."""
    with st.expander("Try k: a quick preview, outside the workflow", expanded=False):
        st.caption(
            f"A quick preview: KMeans for k = {k_selection.K_RANGE.start}..{k_selection.K_RANGE.stop - 1} "
            "in this app, on the same features and filters (country, as-of date) as the run, recorded "
            "nowhere. The elbow chart is the within-cluster sum of squares (WCSS): it always falls as k "
            "grows, and a good k is where it stops falling fast. "
            'For a choice made and recorded by the run itself, choose "Sweep a range of k" above.'
        )
        pressed = st.button("Try k", key="launch_try_k", icon=":material/insights:")
        table = None
        if launch.try_k_wanted(active, params, pressed):
            try:
                with st.spinner("Clustering for each k…"):
                    table = launch.k_table(*active.key, params.country, params.as_of)
            except Exception as error:
                show_error(error, "Try k")
        if table is None:
            return
        best = k_selection.best_k(table)
        plotly(charts.k_selection_chart(table, best), key="launch_k_chart")
        score = table.loc[table["k"] == best, "silhouette"].item()
        st.info(f"Best silhouette: k = {best} ({score:.3f}).")
        st.button(
            f"Use k = {best}",
            on_click=launch.use_k,
            args=(best,),
            disabled=best == params.k,
            key="launch_use_best_k",
        )
        st.dataframe(charts.k_selection_table(table), hide_index=True)
