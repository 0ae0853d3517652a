"""The Streamlit side of the pages: one ``ui/<page>.py`` a page in ``app_pages/`` with its logic and
caches, and what the pages share (``names``, ``errors``, ``text``, ``page``, ``backend``, ``runs``,
``state``, ``metrics``, ``sidebar``).

Only this package and the pages import Streamlit; the work itself is done by ``pipeline``.
"""
