"""One HTTP exchange under a total deadline, with a connection to an address that was checked.

Why not a plain urllib3 request: its timeouts are per socket operation, so a server that sends
one byte every 2 s (in the headers or the body) never trips them and holds a download for ever;
and it resolves the host name itself, after any check of ours, so a DNS answer that changes in
between (rebinding) would reach an address that was never checked. Here the host is resolved
and checked by an :class:`~pipeline.loading.addresses.AddressPolicy`, the socket is opened to
that very address (TLS still verifies the certificate against the host name), ``http.client``
speaks HTTP over it, and a watchdog timer shuts the socket down when the deadline passes,
whatever phase the exchange is in (connecting, TLS handshake, headers, body).

Failures are :class:`FetchError` with a ``kind``; callers (URL downloads, the S3 reader) word
the message for their users.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pipeline.loading.addresses import AddressPolicy, HttpUrl

_CHUNK = 1 << 20


class FetchError(Exception):
    """An exchange that failed; ``kind`` is one of ``connect``, ``connect-timeout``,
    ``read-timeout``, ``deadline``, ``tls``, ``cut-off``, ``protocol``."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


class BodyTooLarge(Exception):
    """The body is longer than allowed: ``declared`` is its Content-Length when it said so."""

    def __init__(self, declared: int | None) -> None:
        super().__init__(declared)
        self.declared = declared


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed to connect, to wait for any one read, and for the whole exchange."""

    connect: float
    read: float
    total: float


class Deadline:
    """A point in time after which the exchange's socket is shut down by a watchdog timer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False

    def remaining(self) -> float:
        """Seconds left; a FetchError ``deadline`` when none are."""
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise FetchError("deadline", f"{self.seconds:g} s")
        return left

    @contextlib.contextmanager
    def watching(self, sock: socket.socket) -> Iterator[None]:
        """Shut ``sock`` down (any blocked read returns at once) if the deadline passes meanwhile.

        The timer holds a duplicate of the socket's descriptor: a TLS wrapper takes the
        original over, but shutting down either shuts down the one connection.
        """
        killer = sock.dup()

        def fire() -> None:
            self.expired = True
            with contextlib.suppress(OSError):
                killer.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), fire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            killer.close()


class Exchange:
    """An HTTP response whose status and headers have arrived; the body is read on demand."""

    def __init__(self, url: HttpUrl, connection: http.client.HTTPConnection, deadline: Deadline) -> None:
        self.url = url
        self._connection = connection
        self._deadline = deadline
        self._response = connection.getresponse()

    @property
    def status(self) -> int:
        """The HTTP status code."""
        return int(self._response.status)

    @property
    def headers(self) -> http.client.HTTPMessage:
        """The response headers (case-insensitive ``get``)."""
        return self._response.headers

    def read_body(self, max_bytes: int) -> bytes:
        """The whole body, at most ``max_bytes`` of it (else BodyTooLarge), within the deadline."""
        length = self.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > max_bytes:
            raise BodyTooLarge(int(length))
        chunks: list[bytes] = []
        received = 0
        while True:
            chunk = self._response.read1(_CHUNK)
            self._deadline.remaining()  # a shutdown by the watchdog also reads as the end of the body
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise BodyTooLarge(None)
            chunks.append(chunk)
        if self._response.length:  # fewer bytes than Content-Length promised
            raise FetchError("cut-off", f"{received} bytes")
        return b"".join(chunks)


@contextlib.contextmanager
def exchange(
    method: str,
    url: HttpUrl,
    *,
    policy: AddressPolicy,
    timeouts: Timeouts,
    deadline: Deadline,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> Iterator[Exchange]:
    """Send one request to ``url`` (no redirects followed) and yield its :class:`Exchange`.

    Every socket operation and the whole exchange are bounded (``timeouts``, ``deadline``);
    every failure of the network or the server is a :class:`FetchError`.
    """
    addresses = policy.addresses(url, min(timeouts.connect, deadline.remaining()))
    sock = _connect(url, addresses, timeouts, deadline)
    try:
        with deadline.watching(sock), _as_fetch_errors(deadline):
            sock.settimeout(min(timeouts.read, deadline.remaining()))
            if url.scheme == "https":
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=url.host)
            sock.settimeout(timeouts.read)
            connection = http.client.HTTPConnection(url.host, url.port, timeout=timeouts.read)
            connection.sock = sock  # already connected to the checked address: http.client must not resolve
            connection.request(method, url.target, body=body, headers=_with_defaults(headers or {}, url))
            yield Exchange(url, connection, deadline)
    finally:
        sock.close()


def _with_defaults(headers: Mapping[str, str], url: HttpUrl) -> dict[str, str]:
    """``headers`` plus Host (as in the URL: the default port left out, as SigV4 signs it),
    User-Agent and an identity encoding, unless the caller gave them (in any letter case)."""
    merged = dict(headers)
    given = {name.lower() for name in merged}
    defaults = {"Host": url.host_header, "User-Agent": "rfm-workflow-studio", "Accept-Encoding": "identity"}
    merged.update({name: value for name, value in defaults.items() if name.lower() not in given})
    return merged


def _connect(url: HttpUrl, addresses: list[str], timeouts: Timeouts, deadline: Deadline) -> socket.socket:
    """A TCP connection to the first of the checked ``addresses`` that answers."""
    last: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(min(timeouts.connect, deadline.remaining()))
            sock.connect((address, url.port))
            return sock
        except OSError as error:  # refused, unreachable or timed out: try the next address
            sock.close()
            last = error
    if isinstance(last, TimeoutError):
        deadline.remaining()
        raise FetchError("connect-timeout", f"{timeouts.connect:g} s")
    raise FetchError("connect", getattr(last, "strerror", None) or type(last).__name__)


@contextlib.contextmanager
def _as_fetch_errors(deadline: Deadline) -> Iterator[None]:
    """Turn what a socket, TLS or http.client raises into FetchError (deadline first: the
    watchdog's shutdown surfaces as whatever error the interrupted operation gives)."""
    try:
        yield
    except (FetchError, BodyTooLarge):
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:
        if deadline.expired or time.monotonic() >= deadline.ends:
            raise FetchError("deadline", f"{deadline.seconds:g} s") from error
        if isinstance(error, TimeoutError):
            raise FetchError("read-timeout") from error
        if isinstance(error, ssl.SSLCertVerificationError):
            raise FetchError("tls", error.verify_message or "certificate not trusted") from error
        if isinstance(error, ssl.SSLError):
            raise FetchError("tls", error.reason or type(error).__name__) from error
        if isinstance(error, http.client.IncompleteRead):
            raise FetchError("cut-off") from error
        if isinstance(error, OSError):
            raise FetchError("connect", error.strerror or type(error).__name__) from error
        raise FetchError("protocol", type(error).__name__) from error
