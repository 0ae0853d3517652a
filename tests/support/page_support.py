"""Helpers the AppTest page tests share: where the page put its elements."""

from __future__ import annotations

from typing import Any


def metrics_in_columns(root: Any) -> list[str]:
    """Labels of the metrics under ``root`` that sit directly in a ``st.columns`` column.

    A column has a fixed share of the width, so a metric there cuts its value off ("602…",
    "SUCC…") on a narrow page; the pages draw metric rows with ``ui.metrics.metric_row``,
    where each metric takes the width its value needs and the row wraps.
    """
    found: list[str] = []
    for child in getattr(root, "children", {}).values():
        if getattr(child, "type", None) == "metric" and getattr(root, "type", None) == "column":
            found.append(child.label)
        found += metrics_in_columns(child)
    return found
