"""SageMaker KMeans' model artifact (``model.tar.gz`` holding ``model_algo-1``) without mxnet.

SageMaker's built-in KMeans stores its cluster centres as ``model.tar.gz`` holding one file,
``model_algo-1``: what mxnet 1.x's ``mx.nd.save`` writes for a list of one dense float32
array of shape (k, feature_dim). The local backend must write exactly that file and the
transform stand-in must read what either backend trained, yet mxnet's last release needs
numpy<1.24, so this module implements that one layout with ``struct`` and numpy. Anything
else (other data types, sparse or legacy layouts) is refused with a message naming what was
found: KMeans never writes it.

Layout (little endian), as ``NDArray::Save`` writes it::

    uint64 0x112 (kMXAPINDArrayListMagic), uint64 0 (reserved), uint64 count
    per array:
        uint32 0xF993FAC9 (the V2 magic), int32 0 (dense storage), int32 ndim = 2,
        int64 dims[2], int32 device type, int32 device id, int32 0 (float32), raw data
    uint64 name count (0: a list, not a dict), then each name as uint64 length + bytes
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile

import numpy as np

from pipeline.errors import DataError

LIST_MAGIC = 0x112
V2_MAGIC = 0xF993FAC9
DENSE_STORAGE = 0
FLOAT32_FLAG = 0
#: Device type 1 is the CPU; mxnet saves every array with its CPU context.
CPU_DEVICE_TYPE = 1
MODEL_MEMBER = "model_algo-1"
_FLOAT32 = np.dtype("<f4")


class NDArrayFormatError(DataError):
    """The bytes are not the KMeans model layout this reader understands."""


class _Reader:
    """Sequential little-endian reads that fail with a clear message when the bytes run out."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def take(self, size: int, what: str) -> memoryview:
        if size < 0 or self.pos + size > len(self.data):
            raise NDArrayFormatError(
                f"The model file is truncated: it ends at byte {len(self.data)} while reading "
                f"{what} at byte {self.pos}. Re-download or re-create the model artifact."
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def _expect(found: int, expected: int, what: str, index: int) -> None:
    if found != expected:
        raise NDArrayFormatError(
            f"Array {index} has {what} {found:#x}, expected {expected:#x}: SageMaker KMeans writes "
            "dense float32 matrices in mxnet's V2 layout, and this reader reads only that."
        )


def _read_matrix(reader: _Reader, index: int) -> np.ndarray:
    (magic,) = reader.unpack("I", f"the header of array {index}")
    _expect(magic, V2_MAGIC, "magic number", index)
    (storage_type,) = reader.unpack("i", f"the storage type of array {index}")
    _expect(storage_type, DENSE_STORAGE, "storage type", index)
    (ndim,) = reader.unpack("i", f"the number of dimensions of array {index}")
    _expect(ndim, 2, "dimension count", index)
    rows, columns = reader.unpack("qq", f"the shape of array {index}")
    if rows < 0 or columns < 0:
        shape = (rows, columns)
        raise NDArrayFormatError(f"Array {index} has a negative dimension {shape}; the file is corrupt.")
    reader.unpack("ii", f"the device of array {index}")
    (flag,) = reader.unpack("i", f"the data type of array {index}")
    _expect(flag, FLOAT32_FLAG, "data type flag", index)
    raw = reader.take(_FLOAT32.itemsize * rows * columns, f"the data of array {index}")
    return np.frombuffer(raw, dtype=_FLOAT32).reshape(rows, columns).astype(np.float32)


def load_ndarray_list(data: bytes) -> list[np.ndarray]:
    """The float32 matrices of an NDArray list file, in file order."""
    reader = _Reader(data)
    magic, _reserved = reader.unpack("QQ", "the file header")
    if magic != LIST_MAGIC:
        raise NDArrayFormatError(
            f"This is not an MXNet NDArray list file: it starts with 0x{magic:X}, expected 0x{LIST_MAGIC:X}."
        )
    (count,) = reader.unpack("Q", "the array count")
    if count > len(data):
        raise NDArrayFormatError(f"The file claims {count} arrays in {len(data)} bytes; it is corrupt.")
    arrays = [_read_matrix(reader, index) for index in range(count)]
    (name_count,) = reader.unpack("Q", "the name count")
    if name_count not in (0, count):
        raise NDArrayFormatError(f"The file has {count} arrays but {name_count} names; it is corrupt.")
    for index in range(name_count):  # names (a saved dict) carry nothing KMeans needs
        (length,) = reader.unpack("Q", f"the length of name {index}")
        reader.take(length, f"name {index}")
    return arrays


def save_ndarray_list(arrays: list[np.ndarray]) -> bytes:
    """Serialise float32 matrices exactly as mxnet 1.x's ``mx.nd.save`` does for a list."""
    out = io.BytesIO()
    out.write(struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays)))
    for array in arrays:
        matrix = np.asarray(array)
        if matrix.ndim != 2 or matrix.dtype != np.float32:
            raise ValueError(f"Expected a float32 matrix, got {matrix.dtype} of shape {matrix.shape}.")
        out.write(struct.pack("<Iii", V2_MAGIC, DENSE_STORAGE, 2))
        out.write(struct.pack("<qq", *matrix.shape))
        out.write(struct.pack("<iii", CPU_DEVICE_TYPE, 0, FLOAT32_FLAG))
        out.write(np.ascontiguousarray(matrix, dtype=_FLOAT32).tobytes())
    out.write(struct.pack("<Q", 0))
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
            member = archive.extractfile(chosen)
            if member is None:
                raise NDArrayFormatError(f"The {MODEL_MEMBER} in the model archive is not a regular file.")
            return member.read()
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as error:
        raise NDArrayFormatError(
            f"The model artifact is not a readable .tar.gz ({error}); re-download or re-train the model."
        ) from error


def read_kmeans_model_tar(data: bytes) -> np.ndarray:
    """The cluster centres (k x feature_dim float32) of a SageMaker KMeans ``model.tar.gz``."""
    matrices = load_ndarray_list(model_file_from_tar(data))
    if len(matrices) != 1:
        shapes = [matrix.shape for matrix in matrices]
        raise NDArrayFormatError(
            f"Expected one (k, feature_dim) centroid matrix in the KMeans model, found shapes {shapes}."
        )
    return np.ascontiguousarray(matrices[0], dtype=np.float32)
