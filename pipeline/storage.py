"""One small storage API over S3 and the local folder that stands in for it.

The Lambda handlers and the local SageMaker stand-ins read and write ``s3://bucket/key``
URIs through this module only, so the same handler code runs on AWS (boto3 S3) and on the
local backend (``<data dir>/s3/<bucket>/<key>``).
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from pipeline.errors import DataError


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")``; a clear error for anything else."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise DataError(f"'{uri}' is not an S3 URI: write it as s3://bucket/key.")
    return parsed.netloc, parsed.path.lstrip("/")


def join_uri(prefix: str, *parts: str) -> str:
    """Join an S3 URI prefix and key parts with single slashes."""
    pieces = [prefix.rstrip("/")] + [p.strip("/") for p in parts if p]
    return "/".join(pieces)


class Storage(Protocol):
    """Read, write and list objects addressed by ``s3://`` URIs."""

    def read_bytes(self, uri: str) -> bytes:
        """The object's bytes; ``FileNotFoundError`` when there is no such object."""
        ...

    def write_bytes(self, uri: str, data: bytes) -> None: ...

    def list(self, prefix_uri: str) -> list[str]:
        """Every object URI under the prefix, sorted."""
        ...

    def exists(self, uri: str) -> bool: ...


class LocalBucketStorage:
    """S3 semantics on a folder: ``s3://bucket/key`` is the file ``<root>/bucket/key``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, uri: str) -> Path:
        """The local file that holds the object at ``uri``."""
        bucket, key = split_s3_uri(uri)
        path = (self.root / bucket / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise DataError(f"'{uri}' points outside the local bucket.")
        return path

    def read_bytes(self, uri: str) -> bytes:
        path = self.path_for(uri)
        if not path.is_file():
            raise FileNotFoundError(f"No such object in the local bucket: {uri}")
        return path.read_bytes()

    def write_bytes(self, uri: str, data: bytes) -> None:
        path = self.path_for(uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary name of this writer's own, then an atomic rename: readers never see half a
        # file, and two writers of the same key (two sessions launching on one dataset) never
        # rename each other's temporary file away; the last rename wins, as on S3.
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}.part")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    def list(self, prefix_uri: str) -> list[str]:
        bucket, key_prefix = split_s3_uri(prefix_uri)
        bucket_root = self.root / bucket
        if not bucket_root.is_dir():
            return []
        found: list[str] = []
        for path in bucket_root.rglob("*"):
            if path.is_file() and not path.name.endswith(".part"):
                key = path.relative_to(bucket_root).as_posix()
                if key.startswith(key_prefix):
                    found.append(f"s3://{bucket}/{key}")
        return sorted(found)

    def exists(self, uri: str) -> bool:
        return self.path_for(uri).is_file()


class S3Storage:
    """The real thing, through a boto3 S3 client (with timeouts set by whoever made it)."""

    def __init__(self, client=None) -> None:
        if client is None:
            client = make_s3_client()
        self.client = client

    def read_bytes(self, uri: str) -> bytes:
        bucket, key = split_s3_uri(uri)
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            # The same signal as the local bucket, so handlers treat a missing object alike.
            raise FileNotFoundError(f"No such object in S3: {uri}") from None

    def write_bytes(self, uri: str, data: bytes) -> None:
        bucket, key = split_s3_uri(uri)
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def list(self, prefix_uri: str) -> list[str]:
        bucket, key_prefix = split_s3_uri(prefix_uri)
        found: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=key_prefix):
            found.extend(f"s3://{bucket}/{obj['Key']}" for obj in page.get("Contents", []))
        return sorted(found)

    def exists(self, uri: str) -> bool:
        bucket, key = split_s3_uri(uri)
        try:
            self.client.head_object(Bucket=bucket, Key=key)
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True


def make_s3_client(region: str | None = None):
    """A boto3 S3 client with connect/read timeouts and bounded retries."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client("s3", region_name=region, config=config)


def default_storage() -> Storage:
    """The storage this process should use.

    Inside AWS Lambda (``AWS_LAMBDA_FUNCTION_NAME`` is set) or with ``RFM_STORAGE=s3`` it is
    real S3; everywhere else it is the local bucket under the data directory, which is what
    the local backend's engine and its Lambda handlers share.
    """
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or os.environ.get("RFM_STORAGE") == "s3":
        return S3Storage()
    from pipeline.config import local_bucket_root

    return LocalBucketStorage(local_bucket_root())
