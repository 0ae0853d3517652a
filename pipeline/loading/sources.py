"""Fetch the raw bytes of a dataset from wherever the user keeps it.

A source is a local path, an ``http(s)://`` URL, an ``s3://bucket/key`` URI, raw ``bytes``
or a file-like object with ``.name`` (Streamlit's ``UploadedFile``). Whatever it is, the
caller gets the same :class:`SourceBytes`, or a :class:`~pipeline.errors.DataError` whose
message says what went wrong and what to do. Every network call has a timeout and every
read stops at a byte limit, so a huge or stalled download cannot hang or exhaust the app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from pipeline.errors import DataError
from pipeline.storage import make_s3_client, split_s3_uri

#: Default size limit in megabytes when neither ``max_bytes`` nor ``RFM_STUDIO_MAX_MB`` is given.
DEFAULT_MAX_MB = 300

#: Default (connect, read) timeouts in seconds for URL downloads.
DEFAULT_URL_TIMEOUT: tuple[float, float] = (10.0, 60.0)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceBytes:
    """The bytes of a dataset, with a display name and where they came from."""

    data: bytes
    name: str
    source: str


def default_max_bytes() -> int:
    """The size limit in bytes: ``$RFM_STUDIO_MAX_MB`` megabytes, default 300 MB.

    A limit protects the app (and a shared server) from a file that would not fit in memory.
    """
    raw = os.environ.get("RFM_STUDIO_MAX_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        megabytes = float(raw)
    except ValueError:
        raise DataError(
            f"RFM_STUDIO_MAX_MB is set to '{raw}', which is not a number: set it to a size in "
            "megabytes, e.g. RFM_STUDIO_MAX_MB=500."
        ) from None
    if megabytes <= 0:
        raise DataError(f"RFM_STUDIO_MAX_MB must be a positive number of megabytes, not '{raw}'.")
    return int(megabytes * 1024 * 1024)


def human_size(n_bytes: float) -> str:
    """``1536`` -> ``"1.5 KB"``: sizes in messages people read."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def too_large(what: str, size: int | None, max_bytes: int) -> DataError:
    """The error for a file over the size limit (size may be unknown while streaming)."""
    actual = f"is {human_size(size)}, which is" if size is not None else "is"
    return DataError(
        f"{what} {actual} over the size limit of {human_size(max_bytes)}. Use a smaller extract, "
        "or raise the limit with the environment variable RFM_STUDIO_MAX_MB (megabytes)."
    )


def read_source(
    source: str | os.PathLike | bytes | BinaryIO | Any,
    *,
    max_bytes: int | None = None,
    timeout: tuple[float, float] = DEFAULT_URL_TIMEOUT,
    s3_client: Any = None,
) -> SourceBytes:
    """Read a dataset's bytes from a path, URL, S3 URI, bytes or an uploaded file.

    ``max_bytes`` caps what is read (default :func:`default_max_bytes`); ``timeout`` is the
    (connect, read) timeout of URL downloads; ``s3_client`` replaces the boto3 client made by
    :func:`pipeline.storage.make_s3_client` (which has its own timeouts).
    """
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > limit:
            raise too_large("The uploaded data", len(data), limit)
        return SourceBytes(data, "upload", "upload")
    if isinstance(source, str) and "://" in source:
        scheme = urlparse(source).scheme.lower()
        if scheme in ("http", "https"):
            return SourceBytes(fetch_url(source, max_bytes=limit, timeout=timeout), _url_name(source), source)
        if scheme == "s3":
            data = fetch_s3(source, max_bytes=limit, client=s3_client)
            return SourceBytes(data, PurePosixPath(urlparse(source).path).name or source, source)
        raise DataError(
            f"'{source}' is a {scheme}:// address, which cannot be read: give an http:// or https:// "
            "URL, an s3://bucket/key URI, or upload the file."
        )
    if isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        return SourceBytes(read_path(path, max_bytes=limit), path.name, str(path))
    if hasattr(source, "read"):
        name = Path(str(getattr(source, "name", "") or "upload")).name
        return SourceBytes(read_filelike(source, name=name, max_bytes=limit), name, f"upload:{name}")
    raise DataError(
        f"Cannot read a dataset from a {type(source).__name__}: give a file path, a URL, an s3:// URI "
        "or an uploaded file."
    )


def read_path(path: Path, *, max_bytes: int) -> bytes:
    """A local file's bytes, refusing files over ``max_bytes`` before reading them."""
    if not path.exists():
        raise DataError(f"There is no file at '{path}': check the path, or upload the file instead.")
    if not path.is_file():
        raise DataError(f"'{path}' is a folder, not a file: give the path of the data file itself.")
    size = path.stat().st_size
    if size > max_bytes:
        raise too_large(f"'{path.name}'", size, max_bytes)
    return path.read_bytes()


def read_filelike(stream: BinaryIO, *, name: str, max_bytes: int) -> bytes:
    """An uploaded file's bytes (reads at most ``max_bytes + 1`` to detect an oversize file)."""
    size = getattr(stream, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise too_large(f"'{name}'", size, max_bytes)
    if hasattr(stream, "seek"):
        stream.seek(0)
    data = stream.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise too_large(f"'{name}'", None, max_bytes)
    return bytes(data)


def _url_name(url: str) -> str:
    return unquote(PurePosixPath(urlparse(url).path).name) or urlparse(url).netloc


def fetch_url(url: str, *, max_bytes: int, timeout: tuple[float, float] = DEFAULT_URL_TIMEOUT) -> bytes:
    """Download ``url`` with (connect, read) timeouts, refusing more than ``max_bytes``.

    The Content-Length header is checked first; the body is then streamed with a byte cap,
    because servers may omit or understate it.
    """
    import urllib3
    from urllib3.exceptions import HTTPError, MaxRetryError, NewConnectionError, TimeoutError

    parsed = urlparse(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        raise DataError(f"'{url}' is not an http(s) URL: write it as https://host/path/file.xlsx.")
    connect_timeout, read_timeout = timeout
    pool = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        retries=urllib3.Retry(total=5, connect=0, read=0, status=0, redirect=5, other=0),
    )
    host = parsed.netloc
    try:
        try:
            response = pool.request("GET", url, preload_content=False)
        except MaxRetryError as error:
            raise _url_error(url, host, error.reason, connect_timeout, read_timeout) from error
        except (TimeoutError, NewConnectionError, HTTPError) as error:
            raise _url_error(url, host, error, connect_timeout, read_timeout) from error
        try:
            if response.status == 404:
                raise DataError(f"Nothing found at {url} (HTTP 404): check the address.")
            if response.status >= 400:
                raise DataError(
                    f"The server at {host} refused the download of {url} (HTTP {response.status}): "
                    "check the address, or download the file yourself and upload it."
                )
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise too_large(f"The file at {url}", int(length), max_bytes)
            chunks: list[bytes] = []
            received = 0
            try:
                for chunk in response.stream(_CHUNK):
                    received += len(chunk)
                    if received > max_bytes:
                        raise too_large(f"The file at {url}", None, max_bytes)
                    chunks.append(chunk)
            except (TimeoutError, HTTPError) as error:
                raise _url_error(url, host, error, connect_timeout, read_timeout) from error
            return b"".join(chunks)
        finally:
            response.release_conn()
    finally:
        pool.clear()


def _url_error(url: str, host: str, error: BaseException | None, connect: float, read: float) -> DataError:
    from urllib3.exceptions import (
        ConnectTimeoutError,
        NameResolutionError,
        NewConnectionError,
        ReadTimeoutError,
    )

    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test the specific ones first.
    if isinstance(error, NameResolutionError):
        return DataError(f"Cannot reach {host}: the host name does not resolve. Check the URL ({url}).")
    if isinstance(error, NewConnectionError):
        return DataError(
            f"Cannot reach {host} to download {url}: the connection was refused or failed. "
            "Check the address and your network, or download the file yourself and upload it."
        )
    if isinstance(error, ConnectTimeoutError):
        return DataError(
            f"Timed out after {connect:g} s connecting to {host} for {url}: the server is not answering. "
            "Try again later, or download the file yourself and upload it."
        )
    if isinstance(error, ReadTimeoutError):
        return DataError(
            f"Timed out: {host} sent nothing for {read:g} s while downloading {url}. "
            "Try again later, or download the file yourself and upload it."
        )
    return DataError(
        f"Cannot reach {host} to download {url} ({type(error).__name__ if error else 'no answer'}). "
        "Check the address and your network, or download the file yourself and upload it."
    )


def fetch_s3(uri: str, *, max_bytes: int, client: Any = None) -> bytes:
    """An S3 object's bytes through boto3, with AWS errors turned into actionable messages."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    bucket, key = split_s3_uri(uri)
    if not key or key.endswith("/"):
        raise DataError(f"'{uri}' names no object: write it as s3://bucket/path/to/file.xlsx.")
    if client is None:
        client = make_s3_client()
    try:
        response = client.get_object(Bucket=bucket, Key=key)
        body = response["Body"]
        try:  # closing the body hands its connection back, also when the object is refused
            size = response.get("ContentLength")
            if isinstance(size, int) and size > max_bytes:
                raise too_large(f"'{uri}'", size, max_bytes)
            data = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:
            raise too_large(f"'{uri}'", None, max_bytes)
        return data
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise DataError(
            f"No AWS credentials found to read {uri}: run `aws configure`, set AWS_PROFILE, or set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        ) from error
    except ClientError as error:
        raise _s3_client_error(uri, bucket, key, error) from error
    except (ConnectTimeoutError, ReadTimeoutError) as error:
        raise DataError(f"Timed out reading {uri} from S3: check your network and try again.") from error
    except EndpointConnectionError as error:
        raise DataError(f"Cannot reach S3 to read {uri}: check your network and the AWS region.") from error
    except BotoCoreError as error:
        raise DataError(f"Reading {uri} from S3 failed: {error}") from error


def _s3_client_error(uri: str, bucket: str, key: str, error: Any) -> DataError:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in ("NoSuchKey", "404", "NotFound"):
        return DataError(f"There is no object '{key}' in bucket '{bucket}': check the key in {uri}.")
    if code == "NoSuchBucket":
        return DataError(f"There is no S3 bucket named '{bucket}': check the bucket name in {uri}.")
    if code in ("AccessDenied", "403", "AllAccessDisabled", "AccountProblem"):
        return DataError(
            f"Access denied to {uri}: the AWS identity in use may not read it. Ask for s3:GetObject on "
            f"arn:aws:s3:::{bucket}/{key}, or use another profile."
        )
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
        return DataError(
            f"AWS rejected the credentials ({code}) while reading {uri}: refresh or fix them "
            "(`aws configure`, AWS_PROFILE, or a new session token)."
        )
    message = error.response.get("Error", {}).get("Message", "")
    return DataError(f"S3 refused to read {uri} ({code}: {message}).")
