"""The fast path for CSV: pyarrow's multi-threaded reader, every column read as text.

pandas' CSV reader turns every cell into a Python string (``dtype=str``): ~1.5 s for the
541,909-row UCI CSV, against a few tenths for pyarrow's reader straight into Arrow string
columns. Every column stays text (an invoice "536365", a stock code "00123", a price "0.50"
keep their characters): :mod:`pipeline.loading.dataset` types them afterwards, the same way
for every format. Only empty cells are missing, as in the pandas path.

pyarrow is stricter than pandas about ragged rows (pandas pads a short row with blanks; a
header one field short makes pandas use the first column as the index). Whenever pyarrow
refuses the file, :func:`read_csv_arrow` returns None and :mod:`pipeline.loading.readers`
reads it with pandas as before, so such files load, or fail with the same message, as they
always did.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

#: Encodings tried for CSV, in order; latin-1 accepts any byte, so it comes last.
CSV_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

_BOM = b"\xef\xbb\xbf"
#: Bytes pyarrow parses at a time (per thread); bigger blocks mean fewer chunks downstream.
_BLOCK_SIZE = 4 << 20


def decode_text(data: bytes) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def to_utf8(data: bytes) -> bytes:
    """The bytes of :func:`decode_text`'s text as UTF-8 (BOM removed), with as little work as
    the bytes allow: ASCII and valid UTF-8 pass through; Windows-1252 without any of the bytes
    0x80-0x9F reads as Latin-1, transcoded around its few non-ASCII bytes. (Decoding a 50 MB
    file to a str and encoding it back, or even a failed UTF-8 decode, costs several times
    more than finding those bytes.)"""
    if data.isascii():
        return data
    high = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80)
    if len(high) > len(data) // 64:  # text rich in accents: the codecs are as quick as anything
        return data.removeprefix(_BOM) if _is_utf8(data) else decode_text(data).encode("utf-8")
    if all(_is_utf8(data[start:stop]) for start, stop in _runs(high)):
        return data.removeprefix(_BOM)
    positions = high.tolist()
    if any(data[i] < 0xA0 for i in positions):
        return decode_text(data).encode("utf-8")  # cp1252's own characters (the euro sign, curly quotes)
    return latin1_to_utf8(data, positions)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of consecutive positions. Bytes are valid UTF-8 exactly
    when each run of non-ASCII bytes between ASCII ones is, so checking those runs suffices."""
    breaks = np.flatnonzero(np.diff(positions) > 1)
    starts = positions[np.concatenate(([0], breaks + 1))]
    stops = positions[np.concatenate((breaks, [len(positions) - 1]))] + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def latin1_to_utf8(data: bytes, high: list[int]) -> bytes:
    """Latin-1 ``data`` as UTF-8, given the positions ``high`` of its bytes >= 0x80 (each
    becomes two bytes); the ASCII runs between them are copied as they are."""
    view = memoryview(data)
    parts: list[bytes | memoryview] = []
    start = 0
    for position in high:
        parts += (view[start:position], chr(data[position]).encode("utf-8"))
        start = position + 1
    parts.append(view[start:])
    return b"".join(parts)


def header_line(utf8: bytes) -> tuple[str, int]:
    """The first non-empty line (the header) and the offset where the data after it starts.

    Empty lines before it are skipped, as both readers skip empty lines; a line of spaces is
    a (one-column) header for pandas, so it is one here too."""
    start = 0
    while True:
        end = utf8.find(b"\n", start)
        line = utf8[start:] if end < 0 else utf8[start:end]
        if line.rstrip(b"\r") or end < 0:
            return line.rstrip(b"\r").decode("utf-8"), len(utf8) if end < 0 else end + 1
        start = end + 1


def column_names(header: str, separator: str) -> list[str]:
    """The header's names exactly as pandas names them ("Unnamed: 3" for a blank, "X.1" for a
    repeat): pandas reads the header line alone."""
    try:
        names = pd.read_csv(io.StringIO(header), sep=separator, nrows=0, dtype=str).columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return []
    return [str(name) for name in names]


def read_csv_arrow(utf8: bytes, separator: str) -> pd.DataFrame | None:
    """The CSV ``utf8`` (UTF-8 bytes, see :func:`to_utf8`) as text columns, or None when
    pyarrow cannot read it as pandas would (the caller then uses pandas)."""
    header, data_start = header_line(utf8)
    names = column_names(header, separator)
    if not names:
        return None
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(utf8).slice(data_start),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_BLOCK_SIZE),
            parse_options=pa_csv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                # 64-bit offsets: what pandas keeps its text in, so to_pandas copies nothing.
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[""],
                strings_can_be_null=True,
                check_utf8=False,  # to_utf8 gave valid UTF-8
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return table.to_pandas()
