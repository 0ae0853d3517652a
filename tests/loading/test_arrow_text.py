"""Row selection on Arrow-backed frames gives what ``.loc`` gives, in one chunk a text column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.loading.arrow_text import select_rows


def _many_chunked(values: list) -> pd.arrays.ArrowStringArray:
    chunks = [pa.array(values[i : i + 3], pa.large_string()) for i in range(0, len(values), 3)]
    return pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string()))


def test_selected_rows_equal_loc_with_their_index_labels(sample_clean):
    clean, _ = sample_clean
    keep = (clean["Country"] != "United Kingdom").to_numpy() & (clean["Quantity"] > 2).to_numpy()
    shuffled = clean.set_axis(np.arange(len(clean))[::-1] * 2)

    pd.testing.assert_frame_equal(select_rows(shuffled, keep), shuffled.loc[keep])


def test_a_many_chunked_text_column_comes_back_in_one_chunk():
    frame = pd.DataFrame({"Text": _many_chunked(["a", None, "c", "d", "e", "f", "g"]), "N": np.arange(7)})
    keep = np.array([True, True, False, True, False, True, True])

    selected = select_rows(frame, keep)

    assert selected["Text"].array.__arrow_array__().num_chunks == 1
    assert selected["Text"].tolist() == ["a", pd.NA, "d", "f", "g"]
    assert selected["N"].tolist() == [0, 1, 3, 5, 6]
