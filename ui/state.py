"""The active dataset in ``st.session_state``, and the cached frames every page builds on.

Pages must feel instant on the full 541,909-row workbook, and Streamlit reruns the whole page
on every widget change. So the session keeps only a small ``ActiveDataset`` record (content
hash, name, the path of its canonical Parquet copy and a few headline figures), and every
expensive step is cached by that hash, never by hashing a large frame on each rerun:

- ``cleaned(hash, path)``: read and clean once per dataset and process (``st.cache_resource``:
  the frame is shared, not copied; pandas copy-on-write keeps it read-only for callers);
- ``transactions_index(hash, path)``: the numbers RFM is scored from for any filter choice
  (``pipeline.analysis.rfm_index``), built once per dataset (shared too);
- ``countries(hash, path)``: the countries the Segments and Launch filters offer (shared too);
- each page's own views, keyed the same way, in its ``ui/<page>.py``.

A session ends with a browser reload or a link opened in a new tab, so each load also keeps its
record on disk (``pipeline.loading.loaded_records``) and ``restore_active`` brings it back for
a ``?dataset=<hash>`` link (ui/dataset_link.py).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from pipeline.loading.loaded_records import read_loaded, save_loaded
from ui.names import Key

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.analysis.rfm_index import TransactionsIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveDataset:
    """What the session remembers about the loaded dataset: small, so reruns stay cheap."""

    content_hash: str
    name: str
    source: str
    schema: str
    path: str
    rows_read: int
    rows_kept: int
    customers: int
    first_invoice: dt.date
    last_invoice: dt.date

    @classmethod
    def of(cls, dataset: Any, path: Path | str, report: Any) -> ActiveDataset:
        """The record of a loaded ``Dataset``, its canonical Parquet and cleaning report."""
        import pandas as pd  # imported late: every page imports this module, Home needs no pandas

        return cls(
            content_hash=dataset.content_hash,
            name=str(dataset.name),
            source=str(dataset.source),
            schema=str(dataset.schema),
            path=str(path),
            rows_read=int(report.rows_read),
            rows_kept=int(report.rows_kept),
            customers=int(report.customers),
            first_invoice=pd.Timestamp(report.first_invoice).date(),
            last_invoice=pd.Timestamp(report.last_invoice).date(),
        )

    def record(self) -> dict[str, Any]:
        """The fields a later session needs to restore this record from a link (JSON values; the
        path is not kept: it is the cache entry of the hash, found again on restore)."""
        fields = {name: value for name, value in asdict(self).items() if name != "path"}
        fields["first_invoice"] = self.first_invoice.isoformat()
        fields["last_invoice"] = self.last_invoice.isoformat()
        return fields

    @classmethod
    def from_record(cls, record: dict[str, Any], path: Path) -> ActiveDataset | None:
        """The record :meth:`record` wrote, with its cache entry's ``path``; None if it is damaged."""
        try:
            restored = cls(
                content_hash=_typed(record["content_hash"], str),
                name=_typed(record["name"], str),
                source=_typed(record["source"], str),
                schema=_typed(record["schema"], str),
                path=str(path),
                rows_read=_typed(record["rows_read"], int),
                rows_kept=_typed(record["rows_kept"], int),
                customers=_typed(record["customers"], int),
                first_invoice=dt.date.fromisoformat(_typed(record["first_invoice"], str)),
                last_invoice=dt.date.fromisoformat(_typed(record["last_invoice"], str)),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return restored

    @property
    def key(self) -> tuple[str, str]:
        """The cache key of the dataset's frames: its content hash and Parquet path."""
        return self.content_hash, self.path


def get_active() -> ActiveDataset | None:
    """The dataset the pages work on, or None before the user loaded one (or if its cache is gone)."""
    active = st.session_state.get(Key.ACTIVE_DATASET)
    if active is None:
        return None
    if not Path(active.path).exists():
        log.warning("cached dataset %s vanished; clearing the active dataset", active.path)
        del st.session_state[Key.ACTIVE_DATASET]
        return None
    return active


def restore_active(content_hash: str) -> ActiveDataset | None:
    """Make the dataset of ``content_hash`` the active one again, as a link asks; None if it cannot be.

    Only a content hash (64 lower-case hex digits, checked before any file access) whose load
    record and intact cache entry are on this server's disk restores (``pipeline.loading.
    loaded_records``); the record is the ``ActiveDataset`` that ``load_dataset`` made, so the
    session gets the same name, source, schema and counts. Two small JSON reads, no pandas.
    """
    found = read_loaded(content_hash)
    if found is None:
        return None
    active = ActiveDataset.from_record(*found)
    if active is None or active.content_hash != content_hash:
        return None
    st.session_state[Key.ACTIVE_DATASET] = active
    return active


def load_dataset(source: Any, *, name: str | None = None) -> ActiveDataset:
    """Load ``source`` (path, URL, s3:// URI or uploaded file), clean it, and make it the active dataset.

    The session's active dataset changes only when everything succeeded, so a bad file never
    costs the user the dataset they had. Raises what ``pipeline.loading.dataset`` raises (``DataError``
    with a message for the user). Its record is kept on disk for :func:`restore_active`.
    """
    from pipeline.loading import dataset as data  # imported late: the loader is the heavy part of the library

    dataset = data.load_transactions(source, name=name)
    path = data.canonical_parquet(dataset)
    _, report = cleaned(dataset.content_hash, str(path))
    active = ActiveDataset.of(dataset, path, report)
    st.session_state[Key.ACTIVE_DATASET] = active
    save_loaded(active.content_hash, active.record())  # so a reload or a link can restore it
    freeze_long_lived_objects()
    return active


def _typed(value: Any, kind: type) -> Any:
    """``value`` when it is a ``kind`` (a bool is no int here), else a TypeError."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"expected {kind.__name__}")
    return value


_frozen_once = threading.Lock()
_frozen = False


def freeze_long_lived_objects() -> bool:
    """Take what the process holds by now out of the cyclic garbage collector's walks, once.

    By the first dataset load the app holds ~0.6M container objects that live as long as the
    process: modules, classes, botocore's service models (OrderedDicts), plotly's validators.
    A full collection walks every one of them, and one lands on whichever rerun allocates the
    most: 2.3-3.0 s of Clusters' first comparison at 10x under load (``bench_pages
    --gc-census``). ``gc.freeze()`` moves them to the permanent generation, so later full
    collections walk only what the pages made since.

    Why it is safe: frozen objects are still freed by reference counting the moment nothing
    uses them (the data frames, figures and caches behave as before); only a reference cycle
    among frozen objects that becomes garbage later would never be reclaimed. ``gc.collect()``
    first, so no garbage is frozen, and once per process (later loads do not freeze again), so
    what can be kept that way is bounded by what lived at the first load, mostly imports that
    live for good anyway. Returns whether this call froze.
    """
    global _frozen
    with _frozen_once:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
        log.info("froze %d long-lived objects out of the garbage collector's walks", gc.get_freeze_count())
        return True


@st.cache_resource(max_entries=4, show_spinner="Cleaning the transactions…")
def cleaned(content_hash: str, path: str) -> tuple[pd.DataFrame, Any]:
    """The clean transactions and the CleaningReport of one dataset, computed once per process."""
    import pandas as pd

    from pipeline.loading import dataset as data

    transactions = pd.read_parquet(path)
    return data.clean_transactions(transactions)


@st.cache_resource(max_entries=4, show_spinner="Indexing the transactions…")
def transactions_index(content_hash: str, path: str) -> TransactionsIndex:
    """The dataset's ``TransactionsIndex``, built once per dataset and process and shared
    read-only: Segments, Launch's k table and the clustering check score RFM for any filter
    from it in a tenth of a second at 10x, without copying the frame's text columns."""
    from pipeline.analysis.rfm_index import TransactionsIndex

    clean, _ = cleaned(content_hash, path)
    return TransactionsIndex(clean)


@st.cache_resource(max_entries=8, show_spinner=False)
def countries(content_hash: str, path: str) -> tuple[str, ...]:
    """The countries of the clean transactions, sorted, for the Segments and Launch filters
    (a tuple: the cached value is shared by every session, not copied)."""
    return transactions_index(content_hash, path).countries
