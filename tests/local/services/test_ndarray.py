"""SageMaker KMeans' model artifact without mxnet: the real mxnet-written fixture, and what is refused."""

from __future__ import annotations

import gzip
import io
import json
import struct
import tarfile

import numpy as np
import pytest

from pipeline.errors import DataError
from pipeline.workflows.kmeans_ndarray import (
    NDArrayFormatError,
    load_ndarray_list,
    read_kmeans_model_tar,
    save_ndarray_list,
    write_kmeans_model_tar,
)


def list_file(values: np.ndarray, *, flag: int = 0, magic: int = 0xF993FAC9, storage: int = 0) -> bytes:
    """An NDArray list file with one array, laid out by hand from mxnet's format description."""
    body = struct.pack("<QQQ", 0x112, 0, 1)
    body += struct.pack("<Iii", magic, storage, values.ndim) + struct.pack(f"<{values.ndim}q", *values.shape)
    body += struct.pack("<iii", 1, 0, flag) + values.tobytes()
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


def test_the_hand_laid_layout_is_the_fixtures_layout(fixture_model_file, expected_centroids):
    assert list_file(expected_centroids) == fixture_model_file


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


def test_a_named_list_as_a_saved_dict_reads_the_same_matrix(fixture_model_file, expected_centroids):
    named = fixture_model_file[:-8] + struct.pack("<QQ", 1, 6) + b"centre"
    np.testing.assert_array_equal(load_ndarray_list(named)[0], expected_centroids)


@pytest.mark.parametrize(
    "layout, message",
    [
        (dict(flag=1), "data type flag 0x1"),  # float64
        (dict(magic=0xF993FAC8), "magic number 0xf993fac8"),  # the V1 layout
        (dict(magic=0xF993FACA), "magic number 0xf993faca"),  # the numpy-shape V3 layout
        (dict(storage=2), "storage type 0x2"),  # sparse
    ],
)
def test_layouts_kmeans_never_writes_are_refused_naming_what_was_found(layout, message):
    with pytest.raises(NDArrayFormatError, match=message):
        load_ndarray_list(list_file(np.zeros((2, 3), dtype=np.float32), **layout))


def test_a_vector_is_not_a_centroid_matrix():
    with pytest.raises(NDArrayFormatError, match="dimension count 0x1"):
        load_ndarray_list(list_file(np.zeros(3, dtype=np.float32)))


def test_writer_refuses_anything_but_a_float32_matrix():
    with pytest.raises(ValueError, match="float32 matrix"):
        save_ndarray_list([np.zeros((2, 2), dtype=np.float64)])


@pytest.mark.parametrize("cut", [4, 20, 30, 60, 100])
def test_truncated_file_is_a_clear_error(fixture_model_file, cut):
    with pytest.raises(NDArrayFormatError, match="truncated"):
        load_ndarray_list(fixture_model_file[:cut])


def test_garbage_is_not_an_ndarray_file():
    with pytest.raises(NDArrayFormatError, match="not an MXNet NDArray list file"):
        load_ndarray_list(b"this is a CSV file, not a model,\n" * 4)


def test_format_errors_are_studio_errors_for_the_pages():
    assert issubclass(NDArrayFormatError, DataError)


def _model_tar(member_name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(member_name)
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def test_model_tar_without_model_algo_1_is_a_clear_error(fixture_model_file):
    with pytest.raises(NDArrayFormatError, match="holds no model_algo-1"):
        read_kmeans_model_tar(_model_tar("model.params", fixture_model_file))


def test_a_non_tar_artifact_is_a_clear_error():
    with pytest.raises(NDArrayFormatError, match=r"not a readable \.tar\.gz"):
        read_kmeans_model_tar(gzip.compress(b"not a tar at all"))


def test_a_model_with_two_matrices_is_rejected(expected_centroids):
    payload = save_ndarray_list([expected_centroids, expected_centroids])
    with pytest.raises(NDArrayFormatError, match=r"one \(k, feature_dim\) centroid matrix"):
        read_kmeans_model_tar(_model_tar("model_algo-1", payload))
