"""Reading a Plotly figure's data back in tests."""

from __future__ import annotations

import base64

import numpy as np


def values(array) -> list:
    """A plotly figure's data array: a list, or plotly's base64 typed-array form of numpy data
    (what ``Figure.to_json`` writes for numpy columns)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)
