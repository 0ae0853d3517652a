"""The storage API behaves the same on the local bucket and on S3 (moto), as the handlers rely on."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from moto import mock_aws

from pipeline.errors import DataError
from pipeline.storage import (
    LocalBucketStorage,
    S3Storage,
    default_storage,
    join_uri,
    split_s3_uri,
)

BUCKET = "rfm-storage-test"


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path, monkeypatch):
    """Each test runs once on the local bucket and once on moto's S3."""
    if request.param == "local":
        yield LocalBucketStorage(tmp_path / "s3")
        return
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield S3Storage(client)


def test_written_bytes_read_back_identically(storage):
    storage.write_bytes(f"s3://{BUCKET}/runs/a/report.json", b'{"rows": 3}')
    assert storage.read_bytes(f"s3://{BUCKET}/runs/a/report.json") == b'{"rows": 3}'


def test_a_missing_object_is_file_not_found(storage):
    with pytest.raises(FileNotFoundError, match=r"runs/none\.csv"):
        storage.read_bytes(f"s3://{BUCKET}/runs/none.csv")


def test_exists_tells_present_from_missing(storage):
    storage.write_bytes(f"s3://{BUCKET}/here.txt", b"x")
    assert storage.exists(f"s3://{BUCKET}/here.txt")
    assert not storage.exists(f"s3://{BUCKET}/gone.txt")


def test_list_gives_every_object_under_a_prefix_sorted(storage):
    for key in ("runs/b/x.csv", "runs/a/2.csv", "runs/a/1.csv", "raw/data.parquet"):
        storage.write_bytes(f"s3://{BUCKET}/{key}", b"x")
    assert storage.list(f"s3://{BUCKET}/runs/a/") == [
        f"s3://{BUCKET}/runs/a/1.csv",
        f"s3://{BUCKET}/runs/a/2.csv",
    ]
    assert len(storage.list(f"s3://{BUCKET}/runs/")) == 3


def test_overwriting_replaces_the_object(storage):
    uri = f"s3://{BUCKET}/summary.json"
    storage.write_bytes(uri, b"old")
    storage.write_bytes(uri, b"new")
    assert storage.read_bytes(uri) == b"new"


def test_the_local_bucket_is_a_folder_per_bucket(tmp_path):
    storage = LocalBucketStorage(tmp_path)
    storage.write_bytes("s3://shop/runs/r1/clusters.csv", b"id\n1\n")
    assert (tmp_path / "shop" / "runs" / "r1" / "clusters.csv").read_bytes() == b"id\n1\n"
    assert storage.list("s3://other/") == []


def test_concurrent_writers_of_one_key_all_succeed_and_leave_one_whole_object(tmp_path):
    """Two sessions launching on the same dataset write the same content-addressed key at once."""
    storage = LocalBucketStorage(tmp_path)
    uri = "s3://shop/raw/abc.parquet"
    bodies = [bytes([index]) * 200_000 for index in range(8)]
    start = threading.Barrier(len(bodies))

    def write(body: bytes) -> None:
        start.wait()
        storage.write_bytes(uri, body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        list(pool.map(write, bodies))
    assert storage.read_bytes(uri) in bodies
    assert storage.list("s3://shop/") == [uri]
    assert [path.name for path in (tmp_path / "shop" / "raw").iterdir()] == ["abc.parquet"]


def test_the_local_bucket_refuses_keys_that_climb_out_of_it(tmp_path):
    with pytest.raises(DataError, match="outside the local bucket"):
        LocalBucketStorage(tmp_path / "s3").write_bytes("s3://shop/../../etc/passwd", b"x")


@pytest.mark.parametrize("uri", ["https://shop/key", "shop/key", "s3:///key"])
def test_anything_but_an_s3_uri_is_refused_with_its_form(uri):
    with pytest.raises(DataError, match="s3://bucket/key"):
        split_s3_uri(uri)


def test_join_uri_puts_single_slashes_between_parts():
    assert join_uri("s3://b/prefix/", "/runs/", "r1") == "s3://b/prefix/runs/r1"


def test_default_storage_is_the_local_bucket_outside_lambda(studio_home):
    storage = default_storage()
    assert isinstance(storage, LocalBucketStorage)
    assert storage.root == studio_home / "s3"


def test_default_storage_is_s3_inside_lambda_or_when_asked(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "rfm-studio-prepare-rfm")
    assert isinstance(default_storage(), S3Storage)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    monkeypatch.setenv("RFM_STORAGE", "s3")
    assert isinstance(default_storage(), S3Storage)
