"""Fetching datasets over HTTP and from S3: the happy path and every way it can fail."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pandas as pd
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws

from pipeline.errors import DataError
from pipeline.loading.dataset import load_transactions
from pipeline.loading.sources import fetch_s3, fetch_url, read_source

SHORT_TIMEOUT = (2.0, 0.5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    payload: bytes
    release: threading.Event


class _Handler(BaseHTTPRequestHandler):
    """Routes: the sample, 404, 500, an oversized Content-Length, an endless body, stalls."""

    server: _Server

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route == "/sample.xlsx":
            self._send(200, self.server.payload)
        elif route == "/landing-page":
            self._send(200, b"<!DOCTYPE html>\n<html><body>Download the dataset here</body></html>")
        elif route == "/error":
            self._send(500, b"boom")
        elif route == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
        elif route == "/huge-undeclared":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"x" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading at its limit, as it should
        elif route.startswith("/stall-headers"):
            self.server.release.wait(30)
        elif route == "/stall-body":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self.server.release.wait(30)
        else:
            self._send(404, b"not here")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def http_server(sample_xlsx) -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 serving the sample and the failure modes; yields its base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.payload = sample_xlsx.read_bytes()
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.release.set()  # let stalled handlers finish
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def local_servers_allowed(monkeypatch) -> None:
    """These tests' servers are on 127.0.0.1, which the app refuses by default (see test_addresses)."""
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def aws_env(monkeypatch) -> None:
    """Fake credentials and a region, so moto's in-process S3 answers."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


# --- HTTP -------------------------------------------------------------------------------


def test_url_download_loads_the_same_frame_as_the_file(http_server, sample_dataset):
    url = f"{http_server}/sample.xlsx"
    loaded = load_transactions(url, timeout=SHORT_TIMEOUT)
    assert (loaded.name, loaded.source) == ("sample.xlsx", url)
    pd.testing.assert_frame_equal(loaded.transactions, sample_dataset.transactions)


def test_url_answering_with_a_web_page_says_so_and_asks_for_the_download_link(http_server):
    with pytest.raises(DataError, match=r"is a web page \(HTML\), not a data file.*direct download link"):
        load_transactions(f"{http_server}/landing-page")


def test_url_404_says_nothing_is_there(http_server):
    with pytest.raises(DataError, match=r"Nothing found at .*/missing.xlsx \(HTTP 404\)"):
        fetch_url(f"{http_server}/missing.xlsx", max_bytes=10**6, timeout=SHORT_TIMEOUT)


def test_url_server_error_gives_the_status(http_server):
    with pytest.raises(DataError, match=r"refused the download .* \(HTTP 500\)"):
        fetch_url(f"{http_server}/error", max_bytes=10**6, timeout=SHORT_TIMEOUT)


def test_url_with_too_large_content_length_is_refused_before_download(http_server):
    with pytest.raises(DataError, match=r"is 953\.7 MB, which is over the size limit of 1\.0 MB"):
        fetch_url(f"{http_server}/huge-declared", max_bytes=1024 * 1024, timeout=SHORT_TIMEOUT)


def test_url_body_longer_than_the_limit_is_cut_off(http_server):
    with pytest.raises(DataError, match=r"is over the size limit of 10\.0 KB"):
        fetch_url(f"{http_server}/huge-undeclared", max_bytes=10 * 1024, timeout=SHORT_TIMEOUT)


def test_url_server_that_never_answers_times_out(http_server):
    with pytest.raises(DataError, match=r"Timed out: 127\.0\.0\.1:\d+ sent nothing for 0\.5 s"):
        fetch_url(f"{http_server}/stall-headers", max_bytes=10**6, timeout=SHORT_TIMEOUT)


def test_url_download_that_stalls_midway_times_out(http_server):
    with pytest.raises(DataError, match=r"Timed out: .* sent nothing for 0\.5 s"):
        fetch_url(f"{http_server}/stall-body", max_bytes=10**6, timeout=SHORT_TIMEOUT)


def test_url_on_a_closed_port_is_unreachable(closed_port):
    with pytest.raises(DataError, match=rf"Cannot reach 127\.0\.0\.1:{closed_port}"):
        fetch_url(f"http://127.0.0.1:{closed_port}/data.xlsx", max_bytes=10**6, timeout=SHORT_TIMEOUT)


@pytest.mark.parametrize("address", ["ftp://example.com/data.xlsx", "file:///etc/passwd"])
def test_non_http_scheme_is_refused(address):
    with pytest.raises(DataError, match=r"cannot be read: give an http:// or https:// URL"):
        load_transactions(address)


# --- S3 ---------------------------------------------------------------------------------


@mock_aws
def test_s3_object_loads_the_same_frame_as_the_file(aws_env, sample_xlsx, sample_dataset):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="retail")
    s3.put_object(Bucket="retail", Key="uci/online_retail.xlsx", Body=sample_xlsx.read_bytes())

    loaded = load_transactions("s3://retail/uci/online_retail.xlsx")

    assert loaded.name == "online_retail.xlsx"
    pd.testing.assert_frame_equal(loaded.transactions, sample_dataset.transactions)


@mock_aws
def test_s3_missing_key_is_named(aws_env):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="retail")
    with pytest.raises(DataError, match=r"There is no object 'nope\.xlsx' in bucket 'retail'"):
        read_source("s3://retail/nope.xlsx")


@mock_aws
def test_s3_missing_bucket_is_named(aws_env):
    with pytest.raises(DataError, match="There is no S3 bucket named 'no-such-bucket'"):
        read_source("s3://no-such-bucket/data.xlsx")


@mock_aws
def test_s3_object_over_the_limit_is_refused(aws_env):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="retail")
    s3.put_object(Bucket="retail", Key="big.csv", Body=b"x" * 5000)
    with pytest.raises(DataError, match=r"'s3://retail/big\.csv' is 4\.9 KB, which is over the size limit"):
        read_source("s3://retail/big.csv", max_bytes=1000)


def test_s3_access_denied_says_which_permission_is_needed(aws_env):
    client = boto3.client("s3", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_object", service_error_code="AccessDenied", http_status_code=403)
        with pytest.raises(DataError, match=r"Access denied to s3://retail/data\.xlsx.*s3:GetObject"):
            fetch_s3("s3://retail/data.xlsx", max_bytes=10**6, client=client)


def test_s3_without_credentials_says_how_to_configure_them(monkeypatch, tmp_path):
    for variable in [v for v in os.environ if v.startswith("AWS_")]:
        monkeypatch.delenv(variable)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # earlier tests' session caches credentials
    with pytest.raises(
        DataError, match=r"No AWS credentials found to read s3://retail/data\.xlsx: run `aws configure`"
    ):
        read_source("s3://retail/data.xlsx")


def test_s3_endpoint_that_is_unreachable_is_reported(aws_env, closed_port):
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{closed_port}",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    with pytest.raises(DataError, match=r"Cannot reach S3 to read s3://retail/data\.xlsx"):
        fetch_s3("s3://retail/data.xlsx", max_bytes=10**6, client=client)


def test_s3_endpoint_that_stalls_times_out(aws_env, http_server):
    client = boto3.client(
        "s3",
        endpoint_url=f"{http_server}/stall-headers",
        config=Config(
            connect_timeout=1, read_timeout=0.5, retries={"max_attempts": 1}, s3={"addressing_style": "path"}
        ),
    )
    with pytest.raises(DataError, match=r"Timed out reading s3://retail/data\.xlsx"):
        fetch_s3("s3://retail/data.xlsx", max_bytes=10**6, client=client)


def test_s3_uri_without_a_key_is_refused():
    with pytest.raises(DataError, match="names no object"):
        read_source("s3://retail/")
