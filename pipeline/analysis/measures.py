"""The names of the analysis' measures as users read them, one name each in the app, the HTML
report and the CLI. Here, beside the analysis and free of imports: the workflows' CLI lines
(``pipeline.workflows``) may not import the views, and the views' wording module is imported by
the sidebar of every page, which must not pull in numpy or pandas (``k_selection`` does)."""

from __future__ import annotations

#: The k sweep's measure: KMeans calls it "inertia", the sweep's records ``wcss``.
WCSS_LABEL = "Within-cluster sum of squares"
