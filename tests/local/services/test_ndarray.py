"""MXNet NDArray list files without mxnet: the real SageMaker KMeans artifact, every dtype, bad files."""

from __future__ import annotations

import gzip
import io
import json
import struct
import tarfile
import zipfile

import numpy as np
import pytest

from pipeline.errors import DataError
from pipeline.local.services.ndarray import (
    NDArrayFormatError,
    load_ndarray_list,
    read_kmeans_model_tar,
    read_ndarray_file,
    save_ndarray_list,
    write_kmeans_model_tar,
)

# mshadow's type flags, written out from mxnet's documentation (not from the module under test).
MXNET_DTYPES = {
    0: "float32",
    1: "float64",
    2: "float16",
    3: "uint8",
    4: "int32",
    5: "int8",
    6: "int64",
    7: "bool",
    8: "int16",
    9: "uint16",
    10: "uint32",
    11: "uint64",
}


def v2_file(values: np.ndarray, flag: int, *, raw: bytes | None = None, magic: int = 0xF993FAC9) -> bytes:
    """An NDArray list file with one array, laid out by hand from the format description."""
    body = struct.pack("<QQQ", 0x112, 0, 1)
    body += struct.pack("<Iii", magic, 0, values.ndim) + struct.pack(f"<{values.ndim}q", *values.shape)
    body += struct.pack("<iii", 1, 0, flag)
    body += raw if raw is not None else values.astype(values.dtype.newbyteorder("<")).tobytes()
    return body + struct.pack("<Q", 0)


@pytest.fixture(scope="module")
def fixture_tar(kmeans_fixture_dir) -> bytes:
    return (kmeans_fixture_dir / "model.tar.gz").read_bytes()


@pytest.fixture(scope="module")
def fixture_model_file(fixture_tar) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(fixture_tar)) as archive:
        return archive.extractfile("model_algo-1").read()


@pytest.fixture(scope="module")
def expected_centroids(kmeans_fixture_dir) -> np.ndarray:
    expected = json.loads((kmeans_fixture_dir / "expected_centroids.json").read_text())
    return np.array(expected["centroids"], dtype=np.float32)


def test_reads_the_mxnet_written_fixture_exactly(fixture_tar, expected_centroids):
    centroids = read_kmeans_model_tar(fixture_tar)
    assert centroids.dtype == np.float32
    assert centroids.shape == (6, 3)
    np.testing.assert_array_equal(centroids, expected_centroids)


def test_writer_reproduces_the_fixture_model_file_byte_for_byte(fixture_model_file, expected_centroids):
    assert save_ndarray_list([expected_centroids]) == fixture_model_file


def test_kmeans_tar_holds_model_algo_1_with_the_mxnet_bytes(fixture_model_file, expected_centroids):
    with tarfile.open(fileobj=io.BytesIO(write_kmeans_model_tar(expected_centroids)), mode="r:gz") as archive:
        assert archive.getnames() == ["model_algo-1"]
        assert archive.extractfile("model_algo-1").read() == fixture_model_file


def test_kmeans_tar_is_deterministic(expected_centroids):
    assert write_kmeans_model_tar(expected_centroids) == write_kmeans_model_tar(expected_centroids.copy())


def test_kmeans_tar_round_trips_float64_centres_as_float32():
    centres = np.random.default_rng(3).normal(size=(4, 5))
    np.testing.assert_array_equal(
        read_kmeans_model_tar(write_kmeans_model_tar(centres)), centres.astype(np.float32)
    )


@pytest.mark.parametrize("flag, dtype", sorted(MXNET_DTYPES.items()))
def test_reads_every_mxnet_dtype_flag(flag, dtype):
    values = np.arange(6).reshape(2, 3).astype(dtype)
    (loaded,) = load_ndarray_list(v2_file(values, flag))
    assert loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded, values)


@pytest.mark.parametrize("flag, dtype", sorted(MXNET_DTYPES.items()))
def test_writer_round_trips_every_mxnet_dtype(flag, dtype):
    values = np.array([[1, 0, 1], [0, 1, 1]]).astype(dtype)
    data = save_ndarray_list([values])
    assert data == v2_file(values, flag)
    np.testing.assert_array_equal(load_ndarray_list(data)[0], values)


def test_reads_bfloat16_as_exact_float32():
    values = np.array([1.5, -2.0, 0.15625, 3.0e38], dtype=np.float32)
    upper_halves = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    (loaded,) = load_ndarray_list(v2_file(values, 12, raw=upper_halves))
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, (values.view(np.uint32) & 0xFFFF0000).view(np.float32))


def test_unknown_dtype_flag_is_a_clear_error():
    with pytest.raises(NDArrayFormatError, match="data type flag 42"):
        load_ndarray_list(v2_file(np.zeros(2, dtype=np.float32), 42))


def test_reads_the_numpy_shape_v3_magic():
    values = np.arange(4, dtype=np.float32)
    np.testing.assert_array_equal(load_ndarray_list(v2_file(values, 0, magic=0xF993FACA))[0], values)


def test_reads_the_v1_format_without_storage_type():
    values = np.arange(6, dtype=np.float64).reshape(3, 2)
    body = struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<Ii", 0xF993FAC8, 2) + struct.pack("<2q", 3, 2)
    body += struct.pack("<iii", 1, 0, 1) + values.tobytes() + struct.pack("<Q", 0)
    np.testing.assert_array_equal(load_ndarray_list(body)[0], values)


def test_reads_the_legacy_format_without_magic():
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    body = struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<III", 2, 2, 3)  # ndim, uint32 dims
    body += struct.pack("<iii", 1, 0, 0) + values.tobytes() + struct.pack("<Q", 0)
    np.testing.assert_array_equal(load_ndarray_list(body)[0], values)


def test_names_round_trip_with_several_arrays():
    arrays = [np.ones((2, 2), dtype=np.float32), np.arange(3, dtype=np.int64)]
    content = read_ndarray_file(save_ndarray_list(arrays, names=["arg:weight", "aux:count"]))
    assert content.names == ["arg:weight", "aux:count"]
    for loaded, original in zip(content.arrays, arrays, strict=True):
        np.testing.assert_array_equal(loaded, original)


def test_writer_refuses_a_0d_array_rather_than_lose_its_value():
    with pytest.raises(ValueError, match="0-d array"):
        save_ndarray_list([np.float32(1.5)])


def test_sparse_arrays_are_rejected_clearly():
    body = struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<Ii", 0xF993FAC9, 2)
    with pytest.raises(NDArrayFormatError, match="sparse storage type 2"):
        load_ndarray_list(body)


def _model_tar(member_name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(member_name)
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def test_reads_a_model_algo_1_that_is_a_zip_of_params(fixture_model_file, expected_centroids):
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("manifest.json", '{"algorithm": "kmeans"}')
        archive.writestr("mx-mod-symbol.json", "{}")
        archive.writestr("mx-mod-0000.params", fixture_model_file)
    np.testing.assert_array_equal(
        read_kmeans_model_tar(_model_tar("model_algo-1", zipped.getvalue())), expected_centroids
    )


def test_a_zip_without_params_is_a_clear_error():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("notes.txt", "nothing here")
    with pytest.raises(NDArrayFormatError, match="holds no MXNet NDArray list"):
        load_ndarray_list(zipped.getvalue())


@pytest.mark.parametrize("cut", [4, 20, 30, 60, 100])
def test_truncated_file_is_a_clear_error(fixture_model_file, cut):
    with pytest.raises(NDArrayFormatError, match="truncated"):
        load_ndarray_list(fixture_model_file[:cut])


def test_garbage_is_not_an_ndarray_file():
    with pytest.raises(NDArrayFormatError, match="not an MXNet NDArray list file"):
        load_ndarray_list(b"this is a CSV file, not a model,\n" * 4)


def test_format_errors_are_studio_errors_for_the_pages():
    assert issubclass(NDArrayFormatError, DataError)


def test_model_tar_without_model_algo_1_is_a_clear_error(fixture_model_file):
    with pytest.raises(NDArrayFormatError, match="holds no model_algo-1"):
        read_kmeans_model_tar(_model_tar("model.params", fixture_model_file))


def test_a_non_tar_artifact_is_a_clear_error():
    with pytest.raises(NDArrayFormatError, match=r"not a readable \.tar\.gz"):
        read_kmeans_model_tar(gzip.compress(b"not a tar at all"))


def test_a_model_without_a_centroid_matrix_is_rejected():
    payload = save_ndarray_list([np.arange(3, dtype=np.float32)])
    with pytest.raises(
        NDArrayFormatError, match=r"one \(k, feature_dim\) centroid matrix in the KMeans model"
    ):
        read_kmeans_model_tar(_model_tar("model_algo-1", payload))
