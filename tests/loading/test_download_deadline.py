"""One total deadline per download: a server that sends a byte every 2 s cannot hold a load.

The per-read timeout (5 s here) never fires against such a server, since every read gets a
byte; only the deadline (RFM_STUDIO_DOWNLOAD_SECONDS, 3 s here) ends the download. The same
holds through an S3 endpoint: a fake S3 on 127.0.0.1 that dribbles its headers or its body.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.config import Config

from pipeline.errors import DataError
from pipeline.loading.dataset import load_transactions
from pipeline.loading.sources import fetch_s3, fetch_url

BYTE_INTERVAL = 2.0  # seconds between two bytes the slow server sends
DEADLINE = 3  # RFM_STUDIO_DOWNLOAD_SECONDS in these tests
TIMEOUT = (2.0, 5.0)  # (connect, read): the read timeout alone would never end a dribble


class DribblingServer(ThreadingHTTPServer):
    """Sends its answer one byte at a time, BYTE_INTERVAL apart, until the client hangs up."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _DribbleHandler)
        self.stop = threading.Event()
        self.client_gone = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _DribbleHandler(BaseHTTPRequestHandler):
    server: DribblingServer

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body = b"InvoiceNo,StockCode\n" * 50
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nX-Padding: {'p' * 200}\r\n\r\n".encode()
        if "slow-body" in self.path:
            self._send(head)
            self._dribble(body)
        else:  # slow headers: even the status line arrives a byte at a time
            self._dribble(head + body)

    def _send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _dribble(self, data: bytes) -> None:
        try:
            for index in range(len(data)):
                self._send(data[index : index + 1])
                if self.server.stop.wait(BYTE_INTERVAL):
                    return
        except OSError:  # the client shut the connection: the deadline did its job
            self.server.client_gone.set()


@pytest.fixture
def slow_server(monkeypatch) -> Iterator[DribblingServer]:
    monkeypatch.setenv("RFM_STUDIO_DOWNLOAD_SECONDS", str(DEADLINE))
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")
    server = DribblingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.mark.parametrize("route", ["slow-headers", "slow-body"])
def test_a_url_that_sends_a_byte_every_two_seconds_ends_at_the_deadline(slow_server, route):
    with pytest.raises(DataError, match=rf"did not finish within {DEADLINE} s.*RFM_STUDIO_DOWNLOAD_SECONDS"):
        fetch_url(f"{slow_server.base}/{route}/data.csv", max_bytes=10**6, timeout=TIMEOUT)

    # The connection was shut down, not left to dribble on: the server's next byte fails.
    assert slow_server.client_gone.wait(4 * BYTE_INTERVAL)


def test_the_deadline_applies_to_loads_from_the_app_and_the_command_line(slow_server):
    with pytest.raises(DataError, match=rf"did not finish within {DEADLINE} s"):
        load_transactions(f"{slow_server.base}/slow-body/data.csv", timeout=TIMEOUT)


def test_the_deadline_setting_must_be_a_positive_number(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_DOWNLOAD_SECONDS", "inf")
    with pytest.raises(
        DataError, match=r"RFM_STUDIO_DOWNLOAD_SECONDS is set to 'inf', which is not a usable limit"
    ):
        fetch_url("https://example.com/data.csv", max_bytes=10**6)


@pytest.fixture
def slow_s3(slow_server, monkeypatch):
    """An S3 client whose endpoint is the dribbling server (path-style: /bucket/key)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=slow_server.base,
        config=Config(
            connect_timeout=2,
            read_timeout=TIMEOUT[1],
            retries={"max_attempts": 1},
            s3={"addressing_style": "path"},
        ),
    )


def test_an_s3_endpoint_that_sends_its_headers_a_byte_every_two_seconds_ends_at_the_deadline(slow_s3):
    uri = "s3://slow-headers/data.csv"
    with pytest.raises(DataError, match=rf"Reading {uri} from S3 did not finish within {DEADLINE} s"):
        fetch_s3(uri, max_bytes=10**6, client=slow_s3)


def test_an_s3_body_sent_a_byte_every_two_seconds_ends_at_the_deadline_and_its_connection(
    slow_s3, slow_server
):
    uri = "s3://slow-body/data.csv"
    with pytest.raises(DataError, match=rf"Reading {uri} from S3 did not finish within {DEADLINE} s"):
        fetch_s3(uri, max_bytes=10**6, client=slow_s3)

    assert slow_server.client_gone.wait(4 * BYTE_INTERVAL)
