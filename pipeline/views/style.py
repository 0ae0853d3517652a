"""The charts' common look: plotly's ``plotly_white`` template as the process's default.

Set once here rather than as ``update_layout(template="plotly_white")`` on each figure: plotly
assigns its default template to a new figure without validating it, while a template passed to
``update_layout`` is validated and deep-copied per figure. Measured on the Segments page's four
figures (benchmarks/README.md, round 3): 0.090 s instead of 0.251 s, the figures' JSON the same.
Every chart module imports this module, so any figure built by the views gets the template.
"""

from __future__ import annotations

import plotly.io as pio

pio.templates.default = "plotly_white"

#: Margins every titled chart uses (room for the title, nothing wasted at the sides).
MARGINS = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}}
