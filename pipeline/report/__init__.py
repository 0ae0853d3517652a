"""A finished run as one self-contained HTML file, to hand to people without the studio.

``build.build_report(backend, execution_arn)`` gathers the run (``run_facts``), draws the
sections every workflow shares (``common``: dataset and quality, workflow graph with step
durations, parameters and provenance) and the workflow's own (``sections.WORKFLOW_SECTIONS``:
clustering's in ``clustering``), and lays them out with ``page``: plotly's JavaScript
embedded once, inline CSS, nothing fetched from anywhere. Never imports Streamlit.
"""
