"""Read a dataset object from S3: one GetObject under the download deadline, AWS errors in words.

The endpoint and credentials are the operator's configuration (boto3's usual chain); the user
picks bucket and key only, so the address policy of URLs does not apply. The size limit and the
total deadline (``RFM_STUDIO_DOWNLOAD_SECONDS``) do, as for URLs.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from pipeline.errors import DataError
from pipeline.loading import limits
from pipeline.loading.limits import human_size
from pipeline.loading.s3_address import parse_s3_uri
from pipeline.storage import make_s3_client

#: Bytes an S3 body is read in (the caller's deadline does not wait for a read to end).
_S3_CHUNK = 1 << 16


def too_large(what: str, size: int | None, max_bytes: int) -> DataError:
    """The error for a file over the size limit (size may be unknown while streaming)."""
    actual = f"is {human_size(size)}, which is" if size is not None else "is"
    return DataError(
        f"{what} {actual} over the size limit of {human_size(max_bytes)}. Use a smaller extract, "
        "or raise the limit with the environment variable RFM_STUDIO_MAX_MB (megabytes)."
    )


def fetch_s3(uri: str, *, max_bytes: int, client: Any = None, deadline_seconds: float | None = None) -> bytes:
    """An S3 object's bytes through boto3, with AWS errors turned into actionable messages.

    The whole read, headers and body, must finish within ``deadline_seconds`` (default
    ``RFM_STUDIO_DOWNLOAD_SECONDS``), as for URLs: botocore's own timeouts are per socket
    operation, which an endpoint sending a byte at a time never trips. The S3 endpoint is the
    operator's configuration, not user input, so it is not held to public addresses.
    """
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    address = parse_s3_uri(uri)
    bucket, key, uri = address.bucket, address.key, address.shown
    if client is None:
        client = make_s3_client()
    total = limits.current_limits().download_seconds if deadline_seconds is None else float(deadline_seconds)
    try:
        return _S3Read(client, bucket, key, max_bytes).within(total, uri)
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


class _S3Read:
    """One GetObject and its body, read in a worker thread the caller waits for until a deadline.

    When the deadline passes the caller gets its error at once; the worker is told to stop and
    the body's connection is shut down, so it ends at once (an endpoint still sending headers
    keeps it until botocore's read timeout or the end of the headers).
    """

    def __init__(self, client: Any, bucket: str, key: str, max_bytes: int) -> None:
        self.client, self.bucket, self.key, self.max_bytes = client, bucket, key, max_bytes
        self.cancelled = threading.Event()
        self.done = threading.Event()
        self.body: Any = None
        self.data: bytes | None = None
        self.declared: int | None = None
        self.error: BaseException | None = None

    def within(self, seconds: float, uri: str) -> bytes:
        """The object's bytes, or the error the read raised; a DataError after ``seconds``."""
        worker = threading.Thread(target=self._run, name=f"read {uri}", daemon=True)
        worker.start()
        if not self.done.wait(seconds):
            self.cancelled.set()
            self._shut_down_connection()
            raise DataError(
                f"Reading {uri} from S3 did not finish within {seconds:g} s, the limit set by "
                f"{limits.DOWNLOAD_SECONDS[0]}: the endpoint sends too slowly. Try again later."
            )
        if self.error is not None:
            raise self.error
        if self.data is None:
            raise too_large(f"'{uri}'", self.declared, self.max_bytes)
        return self.data

    def _shut_down_connection(self) -> None:
        """Shut the body's socket down, so the worker's blocked read returns now.

        Not ``body.close()``: that waits for the lock the blocked read holds. botocore gives no
        public way to the socket, hence the guarded walk through urllib3's response; where it
        fails, the worker ends at botocore's read timeout instead.
        """
        raw = getattr(self.body, "_raw_stream", None)
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key)
            self.body = response["Body"]
            try:  # closing the body hands its connection back, also when the object is refused
                size = response.get("ContentLength")
                if isinstance(size, int) and size > self.max_bytes:
                    self.declared = size
                    return
                self.data = self._read_body()
            finally:
                self.body.close()
        except BaseException as error:  # handed to the waiting caller, raised there
            self.error = error
        finally:
            self.done.set()

    def _read_body(self) -> bytes | None:
        chunks: list[bytes] = []
        received = 0
        while not self.cancelled.is_set():
            chunk = self.body.read(_S3_CHUNK)
            if not chunk:
                return b"".join(chunks)
            received += len(chunk)
            if received > self.max_bytes:
                return None
            chunks.append(chunk)
        return None


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
