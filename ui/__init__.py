"""Streamlit-side helpers shared by the pages: session state, caches and the sidebar.

Only this package and the pages import Streamlit; the work itself is done by ``pipeline``.
"""
