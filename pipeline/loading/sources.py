"""Fetch the raw bytes of a dataset from wherever the user keeps it.

A source is a local path, an ``http(s)://`` URL, an ``s3://bucket/key`` URI, raw ``bytes``
or a file-like object with ``.name`` (Streamlit's ``UploadedFile``). Whatever it is, the
caller gets the same :class:`SourceBytes`, or a :class:`~pipeline.errors.DataError` whose
message says what went wrong and what to do. Every read stops at a byte limit and every
download has one total deadline besides its per-operation timeouts, so a huge or stalled
download cannot hang or exhaust the app: URLs through :mod:`pipeline.loading.http_fetch` under
the address policy of :mod:`pipeline.loading.addresses`, S3 objects through
:mod:`pipeline.loading.s3_source`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import unquote, urljoin

from pipeline.errors import DataError
from pipeline.loading import limits
from pipeline.loading.addresses import AddressPolicy, HttpUrl, parse_http_url, shown_url
from pipeline.loading.http_fetch import BodyTooLarge, Deadline, FetchError, Timeouts, exchange
from pipeline.loading.limits import human_size
from pipeline.loading.s3_address import parse_s3_uri
from pipeline.loading.s3_source import fetch_s3, too_large
from pipeline.loading.shown import shown_file_name

__all__ = [
    "SourceBytes",
    "default_max_bytes",
    "fetch_s3",
    "fetch_url",
    "human_size",
    "read_source",
    "too_large",
]

#: Default size limit in megabytes when neither ``max_bytes`` nor ``RFM_STUDIO_MAX_MB`` is given.
DEFAULT_MAX_MB = int(limits.MAX_MB[1])

#: Default (connect, read) timeouts in seconds for URL downloads; the whole download is also
#: bounded by ``RFM_STUDIO_DOWNLOAD_SECONDS``.
DEFAULT_URL_TIMEOUT: tuple[float, float] = (10.0, 60.0)

#: Redirects followed before a download is given up (each hop's address is checked).
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


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
    return limits.current_limits().max_bytes


def read_source(
    source: str | os.PathLike | bytes | BinaryIO | Any,
    *,
    max_bytes: int | None = None,
    timeout: tuple[float, float] = DEFAULT_URL_TIMEOUT,
    s3_client: Any = None,
) -> SourceBytes:
    """Read a dataset's bytes from a path, URL, S3 URI, bytes or an uploaded file.

    ``max_bytes`` caps what is read (default :func:`default_max_bytes`); ``timeout`` is the
    (connect, read) timeout of URL downloads, each of which must also finish within
    ``RFM_STUDIO_DOWNLOAD_SECONDS``; ``s3_client`` replaces the boto3 client made by
    :func:`pipeline.storage.make_s3_client`. URLs must resolve to public addresses unless
    ``RFM_STUDIO_ALLOW_PRIVATE_URLS`` is set (:mod:`pipeline.loading.addresses`).
    """
    limit = default_max_bytes() if max_bytes is None else int(max_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > limit:
            raise too_large("The uploaded data", len(data), limit)
        return SourceBytes(data, "upload", "upload")
    if isinstance(source, str) and "://" in source:
        scheme = source.split("://", 1)[0].strip().lower()
        if scheme in ("http", "https"):
            url = parse_http_url(source)
            return SourceBytes(fetch_url(source, max_bytes=limit, timeout=timeout), _url_name(url), url.shown)
        if scheme == "s3":
            address = parse_s3_uri(source)
            data = fetch_s3(source, max_bytes=limit, client=s3_client)
            return SourceBytes(data, shown_file_name(address.file_name), address.shown)
        raise DataError(
            f"'{shown_url(source)}' is a {scheme[:20]}:// address, which cannot be read: give an http:// or "
            "https:// URL, an s3://bucket/key URI, or a copy of the file on this computer."
        )
    if isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        return SourceBytes(read_path(path, max_bytes=limit), path.name, str(path))
    if hasattr(source, "read"):
        name = shown_file_name(Path(str(getattr(source, "name", "") or "upload")).name)
        return SourceBytes(read_filelike(source, name=name, max_bytes=limit), name, f"upload:{name}")
    raise DataError(
        f"Cannot read a dataset from a {type(source).__name__}: give a file path, a URL, an s3:// URI "
        "or an uploaded file."
    )


def read_path(path: Path, *, max_bytes: int) -> bytes:
    """A local file's bytes, refusing files over ``max_bytes`` before reading them."""
    try:
        if not path.exists():
            raise DataError(
                f"There is no file at '{path}': "
                "check the path (a relative path starts from the current folder)."
            )
        if not path.is_file():
            raise DataError(f"'{path}' is a folder, not a file: give the path of the data file itself.")
        size = path.stat().st_size
        if size > max_bytes:
            raise too_large(f"'{path.name}'", size, max_bytes)
        return path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DataError(f"Cannot read '{path}' ({reason}): check its permissions.") from error


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


def _url_name(url: HttpUrl) -> str:
    return shown_file_name(unquote(PurePosixPath(url.target.split("?", 1)[0]).name) or url.authority)


def fetch_url(
    url: str,
    *,
    max_bytes: int,
    timeout: tuple[float, float] = DEFAULT_URL_TIMEOUT,
    deadline_seconds: float | None = None,
    policy: AddressPolicy | None = None,
) -> bytes:
    """Download ``url``: at most ``max_bytes``, within one total deadline, from public addresses.

    ``timeout`` is (connect, read) for each socket operation; ``deadline_seconds`` (default
    ``RFM_STUDIO_DOWNLOAD_SECONDS``) bounds the whole download, redirects included; ``policy``
    decides which addresses may be reached (default: public ones only, unless
    ``RFM_STUDIO_ALLOW_PRIVATE_URLS`` is set), checked again on every redirect hop.
    """
    total = limits.current_limits().download_seconds if deadline_seconds is None else float(deadline_seconds)
    timeouts = Timeouts(connect=timeout[0], read=timeout[1], total=total)
    deadline = Deadline(total)
    policy = policy if policy is not None else AddressPolicy()
    current = parse_http_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with exchange("GET", current, policy=policy, timeouts=timeouts, deadline=deadline) as answer:
                location = answer.headers.get("Location")
                if answer.status in _REDIRECT_STATUSES and location:
                    current = _redirect_target(current, location)
                    continue
                _check_status(current, answer.status)
                return answer.read_body(max_bytes)
        except BodyTooLarge as error:
            raise too_large(f"The file at {current.shown}", error.declared, max_bytes) from None
        except FetchError as error:
            raise _url_error(current, error, timeouts) from None
    raise DataError(
        f"{shown_url(url)} redirects more than {MAX_REDIRECTS} times: give the final download address."
    )


def _redirect_target(current: HttpUrl, location: str) -> HttpUrl:
    """The next hop of a redirect, itself checked like a typed URL."""
    try:
        return parse_http_url(urljoin(current.address, location))
    except DataError as error:
        raise DataError(f"{current.shown} redirects to an address that cannot be used: {error}") from None


def _check_status(url: HttpUrl, status: int) -> None:
    if status == 404:
        raise DataError(f"Nothing found at {url.shown} (HTTP 404): check the address.")
    if status >= 300:
        raise DataError(
            f"The server at {url.authority} refused the download of {url.shown} (HTTP {status}): "
            "check the address, or download the file yourself and load that copy."
        )


def _url_error(url: HttpUrl, error: FetchError, timeouts: Timeouts) -> DataError:
    """The message for a download that failed on the network or the server's side."""
    where, what = url.authority, url.shown
    advice = "Try again later, or download the file yourself and load that copy."
    if error.kind == "deadline":
        return DataError(
            f"The download of {what} from {where} did not finish within {timeouts.total:g} s, the limit "
            f"set by {limits.DOWNLOAD_SECONDS[0]}: the server sends too slowly. {advice}"
        )
    if error.kind == "connect-timeout":
        return DataError(
            f"Timed out after {timeouts.connect:g} s connecting to {where} for {what}: the server is not "
            f"answering. {advice}"
        )
    if error.kind == "read-timeout":
        return DataError(
            f"Timed out: {where} sent nothing for {timeouts.read:g} s while downloading {what}. {advice}"
        )
    if error.kind == "tls":
        return DataError(
            f"Cannot download {what}: the secure (TLS) connection to {where} failed ({error.detail}). "
            "Check the address; the server's certificate must be valid for its name."
        )
    if error.kind == "cut-off":
        return DataError(f"The download of {what} was cut off before the end. {advice}")
    if error.kind == "protocol":
        return DataError(f"{where} did not answer {what} with valid HTTP ({error.detail}). {advice}")
    return DataError(
        f"Cannot reach {where} to download {what}: the connection was refused or failed ({error.detail}). "
        "Check the address and your network, or download the file yourself and load that copy."
    )
