"""Which addresses the app fetches from (no server-side request forgery), and how URLs are shown.

Every server here listens on 127.0.0.1 or 127.0.0.2 and records the requests it gets, so a test
can show that a refused address was never contacted. Where a hop must pass the check, the test
uses a policy that treats exactly 127.0.0.1 as public: the check itself is the real one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support.hostile_files import GOOD_ROW, HEADER

from pipeline.config import UCI_ONLINE_RETAIL_URL
from pipeline.errors import DataError
from pipeline.loading.addresses import (
    AddressPolicy,
    address_problem,
    non_public_reason,
    parse_http_url,
    shown_url,
)
from pipeline.loading.dataset import load_transactions
from pipeline.loading.sources import fetch_url

TIMEOUT = (2.0, 5.0)
CSV = b"InvoiceNo,StockCode\n1,2\n"


class RecordingServer(ThreadingHTTPServer):
    """Answers every GET with ``routes[path]`` (status, headers, body) and records each request."""

    daemon_threads = True

    def __init__(self, host: str, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        super().__init__((host, 0), _RecordingHandler)
        self.routes = routes
        self.requests: list[tuple[str, str]] = []

    @property
    def base(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: RecordingServer

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        status, headers, body = self.server.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def serve() -> Iterator[Callable[..., RecordingServer]]:
    """Start recording servers on a loopback address; all are stopped after the test."""
    servers: list[RecordingServer] = []

    def start(host: str = "127.0.0.1", routes=None) -> RecordingServer:
        server = RecordingServer(host, routes or {})
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def only_127_0_0_1_is_public() -> AddressPolicy:
    return AddressPolicy(is_allowed=lambda address: address == "127.0.0.1")


# --- which addresses are public -----------------------------------------------------------


@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-global"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("2002:7f00:1::", "loopback"),
    ],
)
def test_non_public_addresses_are_named_by_their_kind(address, reason):
    assert non_public_reason(address) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "128.52.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert non_public_reason(address) is None


# --- refusals before any connection ---------------------------------------------------------


def test_a_loopback_url_is_refused_and_the_server_never_asked(serve):
    server = serve(routes={"/data.csv": (200, {}, CSV)})

    with pytest.raises(DataError, match=r"Refused to download from 127\.0\.0\.1:\d+: it is on a loopback"):
        load_transactions(f"{server.base}/data.csv")

    assert server.requests == []


def test_a_host_name_is_judged_by_the_address_it_resolves_to(serve):
    server = serve(routes={"/data.csv": (200, {}, CSV)})

    with pytest.raises(DataError, match=r"Refused to download from localhost:\d+: it is on a loopback"):
        fetch_url(f"http://localhost:{server.server_address[1]}/data.csv", max_bytes=10**6, timeout=TIMEOUT)

    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::1]:9/x.csv",
        "http://[::ffff:127.0.0.1]:9/x.csv",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://0.0.0.0:9/x.csv",
        "http://10.0.0.8/x.csv",
    ],
)
def test_internal_addresses_are_refused_without_connecting(url):
    with pytest.raises(DataError, match=r"Refused to download from .*RFM_STUDIO_ALLOW_PRIVATE_URLS=1"):
        fetch_url(url, max_bytes=10**6, timeout=(0.5, 0.5))


def test_the_setting_allows_private_addresses_for_on_premise_use(serve, monkeypatch):
    server = serve(routes={"/data.csv": (200, {}, CSV)})
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")

    assert fetch_url(f"{server.base}/data.csv", max_bytes=10**6, timeout=TIMEOUT) == CSV


# --- redirects and DNS rebinding ------------------------------------------------------------


def test_a_redirect_to_an_internal_address_is_refused_at_that_hop(serve):
    internal = serve("127.0.0.2", routes={"/secret": (200, {}, b"token=abc")})
    public = serve(routes={"/data.csv": (302, {"Location": f"{internal.base}/secret"}, b"")})

    with pytest.raises(DataError, match=r"Refused to download from 127\.0\.0\.2:\d+"):
        fetch_url(
            f"{public.base}/data.csv", max_bytes=10**6, timeout=TIMEOUT, policy=only_127_0_0_1_is_public()
        )

    assert [path for path, _ in public.requests] == ["/data.csv"]
    assert internal.requests == []


def test_redirects_to_allowed_addresses_are_followed(serve, monkeypatch):
    target = serve("127.0.0.2", routes={"/real.csv": (200, {}, CSV)})
    first = serve(routes={"/data.csv": (301, {"Location": f"{target.base}/real.csv"}, b"")})
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")

    assert fetch_url(f"{first.base}/data.csv", max_bytes=10**6, timeout=TIMEOUT) == CSV


def test_a_redirect_loop_ends_with_a_message(serve, monkeypatch):
    loop = serve(routes={"/a": (302, {"Location": "/a"}, b"")})
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")

    with pytest.raises(DataError, match="redirects more than 5 times"):
        fetch_url(f"{loop.base}/a", max_bytes=10**6, timeout=TIMEOUT)
    assert len(loop.requests) == 6


def test_the_connection_goes_to_the_checked_address_even_if_dns_changes_its_answer(serve):
    checked = serve(routes={"/data.csv": (200, {}, CSV)})
    port = checked.server_address[1]
    answers = iter([["127.0.0.1"], ["127.0.0.2"]])  # a rebinding DNS server's two answers
    lookups: list[str] = []

    def rebinding_resolver(host: str, port: int, timeout: float) -> list[str]:
        lookups.append(host)
        return next(answers)

    policy = AddressPolicy(resolver=rebinding_resolver, is_allowed=lambda address: address == "127.0.0.1")
    data = fetch_url(f"http://rebind.test:{port}/data.csv", max_bytes=10**6, timeout=TIMEOUT, policy=policy)

    assert data == CSV
    assert lookups == ["rebind.test"]
    assert checked.requests == [("/data.csv", f"rebind.test:{port}")]


# --- what messages show ---------------------------------------------------------------------


def test_a_malformed_url_is_a_message_not_a_traceback():
    with pytest.raises(DataError, match=r"'http://\[::1/x\.csv' is not a valid URL"):
        load_transactions("http://[::1/x.csv")


def test_credentials_in_a_url_are_never_shown(serve):
    server = serve(routes={})

    with pytest.raises(DataError) as raised:
        load_transactions(f"http://bob:hunter2@127.0.0.1:{server.server_address[1]}/data.csv")

    assert "hunter2" not in str(raised.value) and "bob" not in str(raised.value)
    assert shown_url("https://bob:hunter2@example.com/x.csv?a=1") == "https://example.com/x.csv?a=1"
    assert parse_http_url("https://bob:hunter2@example.com/x.csv").shown == "https://example.com/x.csv"


def test_a_control_character_escaped_in_a_urls_file_name_is_not_in_the_datasets_name(serve, monkeypatch):
    csv = HEADER + "\n" + ",".join(GOOD_ROW.values()) + "\n"
    server = serve(routes={"/shop%1B%5B2J.csv": (200, {}, csv.encode())})
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")

    loaded = load_transactions(f"{server.base}/shop%1B%5B2J.csv", use_cache=False)

    assert loaded.name == "shop?[2J.csv"


def test_fetched_content_is_not_echoed_when_it_has_none_of_the_columns(serve, monkeypatch):
    token = b"ghp_R2d2C3poXwingTieFighter0123456789ab\n"
    server = serve(routes={"/token": (200, {}, token)})
    monkeypatch.setenv("RFM_STUDIO_ALLOW_PRIVATE_URLS", "1")

    with pytest.raises(DataError, match="none of the required columns") as raised:
        load_transactions(f"{server.base}/token")

    assert "ghp_" not in str(raised.value)


# --- the Data page's check of a typed address ---------------------------------------------


@pytest.mark.parametrize(
    "choice, address, expected",
    [
        ("URL", "/etc/passwd", "is not an http(s) URL"),
        ("URL", "file:///etc/passwd", "is not an http(s) URL"),
        ("URL", "http://[::1/x.csv", "is not a valid URL"),
        ("S3", "/etc/passwd", "is not an S3 URI"),
        ("URL", "https://example.com/data.xlsx", None),
        ("S3", "s3://bucket/data.xlsx", None),
    ],
)
def test_the_data_page_address_check(choice, address, expected):
    problem = address_problem(choice, address)
    assert (problem is None) if expected is None else (expected in problem)


def test_the_data_page_address_check_does_not_repeat_credentials():
    problem = address_problem("URL", "ftp://bob:hunter2@example.com/x.csv")
    assert problem is not None and "hunter2" not in problem


# --- a host name that does not resolve -------------------------------------------------------


def no_dns(host: str, port: int, timeout: float) -> list[str]:
    """A resolver with no answer, as on a server without internet."""
    return []


def test_the_apps_default_uci_address_unresolved_blames_the_connection_not_the_url():
    """A new user on an offline server was told to "Check the URL" of the address the app filled in."""
    policy = AddressPolicy(resolver=no_dns)

    with pytest.raises(DataError) as raised:
        policy.addresses(parse_http_url(UCI_ONLINE_RETAIL_URL), 1.0)

    message = str(raised.value)
    assert message.startswith("Cannot reach archive.ics.uci.edu: the host name does not resolve")
    assert "Check the server's internet connection" in message
    assert "bundled sample" in message and "upload the file" in message
    assert "Check the URL" not in message


def test_another_unresolved_address_still_says_to_check_the_url():
    policy = AddressPolicy(resolver=no_dns)

    with pytest.raises(DataError, match=r"^Cannot reach data\.example\.com: .* Check the URL\.$"):
        policy.addresses(parse_http_url("https://data.example.com/retail.xlsx"), 1.0)
