"""MXNet NDArray list files (SageMaker KMeans' ``model_algo-1``) read and written without mxnet.

SageMaker's built-in KMeans stores its cluster centres as ``model.tar.gz`` holding
``model_algo-1``: the output of ``mx.nd.save`` on one float32 array of shape
(k, feature_dim). The local backend must write exactly that file, and the results reader
must read what either backend wrote, yet mxnet's last release needs numpy<1.24, so this
module implements the format with ``struct`` and numpy only.

Layout (little endian), as mxnet 1.x writes it (``NDArray::Save``)::

    uint64 0x112 (kMXAPINDArrayListMagic), uint64 0 (reserved), uint64 count
    per array:
        uint32 magic: 0xF993FAC9 (V2), 0xF993FACA (V3, numpy shape semantics),
                      0xF993FAC8 (V1), or none at all (legacy: the field is ndim)
        int32  storage type (V2/V3 only; 0 = dense, the only one supported)
        int32  ndim, int64 dims[ndim] (legacy: uint32 dims)
        int32  device type, int32 device id, int32 dtype flag, raw data
    uint64 name count, then each name as uint64 length + bytes

Some algorithms' ``model_algo-1`` is instead a zip archive whose ``*.params`` member is the
NDArray list; the readers here accept both.
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import DataError

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA

#: mshadow type flags -> numpy dtypes (12, bfloat16, is handled separately: numpy has none).
DTYPE_BY_FLAG: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("<f8"),
    2: np.dtype("<f2"),
    3: np.dtype("u1"),
    4: np.dtype("<i4"),
    5: np.dtype("i1"),
    6: np.dtype("<i8"),
    7: np.dtype("?"),
    8: np.dtype("<i2"),
    9: np.dtype("<u2"),
    10: np.dtype("<u4"),
    11: np.dtype("<u8"),
}
BFLOAT16_FLAG = 12
FLAG_BY_DTYPE: dict[np.dtype, int] = {dtype.newbyteorder("<"): flag for flag, dtype in DTYPE_BY_FLAG.items()}

#: Device type 1 is the CPU; mxnet saves every array with its CPU context.
CPU_DEVICE_TYPE = 1
MODEL_MEMBER = "model_algo-1"


class NDArrayFormatError(DataError):
    """The bytes are not an MXNet NDArray list file this reader understands."""


@dataclass
class NDArrayFile:
    """The content of an NDArray list file: the arrays, and their names (often none)."""

    arrays: list[np.ndarray]
    names: list[str] = field(default_factory=list)


class _Reader:
    """Sequential little-endian reads that fail with a clear message when the bytes run out."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def take(self, size: int, what: str) -> memoryview:
        if size < 0 or self.pos + size > len(self.data):
            raise NDArrayFormatError(
                f"The NDArray file is truncated: it ends at byte {len(self.data)} while reading "
                f"{what} at byte {self.pos}. Re-download or re-create the model artifact."
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def _bfloat16_to_float32(raw: memoryview, count: int) -> np.ndarray:
    """bfloat16 is the top half of a float32, so widening it is exact."""
    halves = np.frombuffer(raw, dtype="<u2", count=count).astype(np.uint32)
    return (halves << 16).view(np.float32)


def _read_array(reader: _Reader, index: int) -> np.ndarray:
    (magic,) = reader.unpack("I", f"the header of array {index}")
    if magic in (V2_MAGIC, V3_MAGIC):
        (storage_type,) = reader.unpack("i", f"the storage type of array {index}")
        if storage_type != 0:
            raise NDArrayFormatError(
                f"Array {index} uses sparse storage type {storage_type}; only dense arrays "
                "(storage type 0) are supported."
            )
        (ndim,) = reader.unpack("i", f"the number of dimensions of array {index}")
        dim_format = "q"
    elif magic == V1_MAGIC:
        (ndim,) = reader.unpack("i", f"the number of dimensions of array {index}")
        dim_format = "q"
    else:  # legacy files have no magic: the first field is ndim, dims are uint32
        ndim = magic
        dim_format = "I"
        if ndim > 32:
            raise NDArrayFormatError(
                f"Array {index} starts with 0x{magic:08X}, which is neither an NDArray magic "
                "number nor a plausible dimension count: this is not an MXNet NDArray file."
            )
    none_array = ndim == -1 if magic == V3_MAGIC else ndim == 0
    if none_array:
        return np.zeros((0,), dtype=np.float32)
    if ndim < 0 or ndim > 32:
        raise NDArrayFormatError(f"Array {index} claims {ndim} dimensions; the file is corrupt.")
    dims = reader.unpack(dim_format * ndim, f"the shape of array {index}")
    if any(d < 0 for d in dims):
        raise NDArrayFormatError(f"Array {index} has a negative dimension {dims}; the file is corrupt.")
    reader.unpack("ii", f"the device of array {index}")
    (flag,) = reader.unpack("i", f"the data type of array {index}")
    count = int(np.prod(dims, dtype=np.int64))
    if flag == BFLOAT16_FLAG:
        return _bfloat16_to_float32(reader.take(2 * count, f"the data of array {index}"), count).reshape(dims)
    dtype = DTYPE_BY_FLAG.get(flag)
    if dtype is None:
        raise NDArrayFormatError(
            f"Array {index} has data type flag {flag}, which is not an MXNet data type "
            f"(known: {sorted([*DTYPE_BY_FLAG, BFLOAT16_FLAG])})."
        )
    raw = reader.take(dtype.itemsize * count, f"the data of array {index}")
    return np.frombuffer(raw, dtype=dtype, count=count).reshape(dims).astype(dtype.newbyteorder("="))


def _params_from_zip(data: bytes) -> bytes:
    """The NDArray list inside a zipped ``model_algo-1`` (its ``*.params`` member)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            params = [n for n in names if n.endswith(".params")] or names
            for name in sorted(params):
                member = archive.read(name)
                if len(member) >= 8 and struct.unpack_from("<Q", member)[0] == LIST_MAGIC:
                    return member
    except zipfile.BadZipFile as error:
        raise NDArrayFormatError(
            f"The model file looks like a zip archive but cannot be opened: {error}."
        ) from error
    raise NDArrayFormatError(
        f"The zipped model file holds no MXNet NDArray list (members: {names}); expected a *.params file."
    )


def read_ndarray_file(data: bytes) -> NDArrayFile:
    """Parse an NDArray list file (or a zip holding one) into arrays and names."""
    if data[:4] == b"PK\x03\x04":
        data = _params_from_zip(data)
    reader = _Reader(data)
    magic, _reserved = reader.unpack("QQ", "the file header")
    if magic != LIST_MAGIC:
        raise NDArrayFormatError(
            f"This is not an MXNet NDArray list file: it starts with 0x{magic:X}, expected 0x{LIST_MAGIC:X}."
        )
    (count,) = reader.unpack("Q", "the array count")
    if count > len(data):
        raise NDArrayFormatError(f"The file claims {count} arrays in {len(data)} bytes; it is corrupt.")
    arrays = [_read_array(reader, i) for i in range(count)]
    (name_count,) = reader.unpack("Q", "the name count")
    if name_count not in (0, count):
        raise NDArrayFormatError(f"The file has {count} arrays but {name_count} names; it is corrupt.")
    names = []
    for i in range(name_count):
        (length,) = reader.unpack("Q", f"the length of name {i}")
        names.append(bytes(reader.take(length, f"name {i}")).decode("utf-8", errors="replace"))
    return NDArrayFile(arrays=arrays, names=names)


def load_ndarray_list(data: bytes) -> list[np.ndarray]:
    """The arrays of an NDArray list file, in file order (see ``read_ndarray_file`` for names)."""
    return read_ndarray_file(data).arrays


def save_ndarray_list(arrays: Sequence[np.ndarray], names: Sequence[str] | None = None) -> bytes:
    """Serialise dense arrays exactly as mxnet 1.x's ``mx.nd.save`` does (V2 format, CPU context).

    ``names`` (optional) makes it a named list, as ``mx.nd.save`` writes for a dict.
    """
    names = list(names or [])
    if names and len(names) != len(arrays):
        raise ValueError(f"{len(arrays)} arrays but {len(names)} names: give one name an array, or none.")
    out = io.BytesIO()
    out.write(struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays)))
    for array in arrays:
        array = np.asarray(array)
        flag = FLAG_BY_DTYPE.get(array.dtype.newbyteorder("<"))
        if flag is None:
            raise ValueError(f"MXNet has no data type for numpy {array.dtype}; convert the array first.")
        if array.ndim == 0:  # mxnet would save it as a "none" array and lose the value
            raise ValueError("MXNet cannot save a 0-d array; reshape it to shape (1,) first.")
        out.write(struct.pack("<Iii", V2_MAGIC, 0, array.ndim))
        out.write(struct.pack(f"<{array.ndim}q", *array.shape))
        out.write(struct.pack("<iii", CPU_DEVICE_TYPE, 0, flag))
        out.write(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    out.write(struct.pack("<Q", len(names)))
    for name in names:
        encoded = name.encode("utf-8")
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
    return out.getvalue()


def write_kmeans_model_tar(centroids: np.ndarray) -> bytes:
    """``model.tar.gz`` as SageMaker KMeans writes it: one ``model_algo-1`` with the centres.

    Deterministic (fixed timestamps and owner), so the same centres give the same bytes.
    """
    centres = np.asarray(centroids, dtype=np.float32)
    if centres.ndim != 2:
        raise ValueError(f"KMeans centroids must be a (k, feature_dim) matrix, got shape {centres.shape}.")
    payload = save_ndarray_list([centres])
    info = tarfile.TarInfo(MODEL_MEMBER)
    info.size = len(payload)
    info.mode = 0o644
    info.mtime = 0
    info.uname = info.gname = "root"
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.GNU_FORMAT) as archive:
        archive.addfile(info, io.BytesIO(payload))
    return gzip.compress(tar_bytes.getvalue(), mtime=0)


def model_file_from_tar(data: bytes) -> bytes:
    """The ``model_algo-1`` bytes inside a SageMaker ``model.tar.gz``."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            members = [m for m in archive.getmembers() if m.isfile()]
            chosen = next((m for m in members if m.name.rsplit("/", 1)[-1] == MODEL_MEMBER), None)
            if chosen is None:
                names = [m.name for m in members]
                raise NDArrayFormatError(
                    f"The model archive holds no {MODEL_MEMBER} (members: {names}); "
                    "is this a SageMaker KMeans model.tar.gz?"
                )
            extracted = archive.extractfile(chosen)
            if extracted is None:  # isfile() members always extract; kept for the type checker
                raise NDArrayFormatError(f"The model archive's {MODEL_MEMBER} cannot be read")
            return extracted.read()
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as error:
        raise NDArrayFormatError(
            f"The model artifact is not a readable .tar.gz ({error}); re-download or re-train the model."
        ) from error


def read_kmeans_model_tar(data: bytes) -> np.ndarray:
    """The cluster centres (k x feature_dim float32) of a SageMaker KMeans ``model.tar.gz``."""
    content = read_ndarray_file(model_file_from_tar(data))
    matrices = [a for a in content.arrays if a.ndim == 2]
    if len(matrices) != 1:
        shapes = [a.shape for a in content.arrays]
        raise NDArrayFormatError(
            f"Expected one (k, feature_dim) centroid matrix in the KMeans model, found shapes {shapes}."
        )
    return np.ascontiguousarray(matrices[0], dtype=np.float32)
