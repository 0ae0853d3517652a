"""Which addresses the app may fetch data from, and how an address is shown back to people.

The URL field of the Data page makes the server, not the user's browser, open a connection:
left open, anyone who can reach the app could read the cloud metadata service
(169.254.169.254), an admin page on localhost or a host on the private network through it
(server-side request forgery). So a URL is refused unless every address its host name resolves
to is public; the check runs on every redirect hop, and the connection then goes to the very
address that was checked, so a DNS answer that changes in between (DNS rebinding) cannot slip a
private address in. On-premise users whose data lives on the private network, and the tests
with their servers on 127.0.0.1, set ``RFM_STUDIO_ALLOW_PRIVATE_URLS=1``.

Addresses shown in messages never carry ``user:password@``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from pipeline.config import UCI_ONLINE_RETAIL_URL
from pipeline.errors import DataError
from pipeline.loading.s3_address import parse_s3_uri
from pipeline.loading.shown import shown_url

#: Set to 1 (or true/yes) to allow URLs on loopback, private and link-local addresses.
ALLOW_PRIVATE_SETTING = "RFM_STUDIO_ALLOW_PRIVATE_URLS"

#: Characters left as they are in a request's path and query (RFC 3986 reserved ones and "%").
_SAFE_IN_TARGET = "/:@!$&'()*+,;=?%~-._"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``(host, port, timeout) -> addresses``: how host names are resolved (replaceable in tests).
Resolver = Callable[[str, int, float], list[str]]


@dataclass(frozen=True)
class HttpUrl:
    """An http(s) URL taken apart: what a connection needs, and the form shown to people."""

    scheme: str
    host: str
    port: int
    target: str
    shown: str

    @property
    def authority(self) -> str:
        """``host`` or ``host:port`` as messages name the server (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def address(self) -> str:
        """The URL as requested (encoded path, no user:password), the base of relative redirects."""
        return f"{self.scheme}://{self.authority}{self.target}"

    @property
    def host_header(self) -> str:
        """The ``Host`` header: the authority, an international host name in its ASCII form."""
        try:
            return self.authority.encode("ascii").decode()
        except UnicodeEncodeError:
            return self.authority.replace(self.host, self.host.encode("idna").decode("ascii"))


def parse_http_url(url: str) -> HttpUrl:
    """``url`` taken apart, or a DataError saying how to write it (never a ValueError)."""
    shown = shown_url(url)
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        # e.g. "http://[::1/x.csv" (unclosed IPv6 bracket) or a port that is not a number.
        raise DataError(
            f"'{shown}' is not a valid URL: check the host and port (an IPv6 address goes in "
            "brackets, https://[2001:db8::1]/file.xlsx)."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise DataError(f"'{shown}' is not an http(s) URL: write it as https://host/path/file.xlsx.")
    if any(not ch.isprintable() for ch in url.strip()):
        raise DataError(f"'{shown}' contains control characters: remove them.")
    # Spaces and non-ASCII letters are percent-encoded, as a browser does; escapes already there stay.
    target = quote(parts.path or "/", safe=_SAFE_IN_TARGET)
    if parts.query:
        target += f"?{quote(parts.query, safe=_SAFE_IN_TARGET)}"
    return HttpUrl(scheme, host, port or (443 if scheme == "https" else 80), target, shown)


def address_problem(choice: str, address: str) -> str | None:
    """Why an address typed on the Data page cannot be loaded from the chosen source, or None.

    The loader also reads local paths (the command line needs them); the page must not, or
    anyone who can open the app could read files of the server through the URL or S3 field.
    Whether the host may be reached is decided when the download starts (:class:`AddressPolicy`).
    """
    if choice == "URL":
        if not address.lower().startswith(("http://", "https://")):
            return (
                f"'{shown_url(address)}' is not an http(s) URL: write it as https://host/path/file.xlsx, "
                "or choose Upload to send a file from your computer."
            )
        try:
            parse_http_url(address)
        except DataError as error:
            return str(error)
    if choice == "S3":
        try:
            parse_s3_uri(address)
        except DataError as error:
            return str(error)
    return None


def private_addresses_allowed() -> bool:
    """True when ``RFM_STUDIO_ALLOW_PRIVATE_URLS`` is 1/true/yes/on."""
    return os.environ.get(ALLOW_PRIVATE_SETTING, "").strip().lower() in ("1", "true", "yes", "on")


def non_public_reason(address: str | IPAddress) -> str | None:
    """Why an IP address is not on the public internet ("loopback", "private", ...), or None.

    Addresses embedding an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
    6to4, Teredo) are judged by the IPv4 address inside.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return non_public_reason(embedded)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


#: The host of the app's own default address (the Data page's URL field starts with it).
DEFAULT_DATA_HOST = urlsplit(UCI_ONLINE_RETAIL_URL).hostname or ""


def unresolved_message(host: str) -> str:
    """Why ``host`` cannot be reached when its name does not resolve, and what to do.

    For an address the user typed, the likely cause is the address itself. The UCI archive's name
    is the app's own default, known to resolve: when it does not, this server has no internet (or
    no DNS), and "Check the URL" sent a new user hunting for a typo that is not there.
    """
    if host.lower() == DEFAULT_DATA_HOST:
        return (
            f"Cannot reach {host}: the host name does not resolve, so this server seems to have no "
            "internet connection. Check the server's internet connection, or load the bundled sample "
            "or upload the file instead."
        )
    return f"Cannot reach {host}: the host name does not resolve. Check the URL."


def resolve_with_timeout(host: str, port: int, timeout: float) -> list[str]:
    """The IP addresses of ``host`` (IPv4 and IPv6), giving up after ``timeout`` seconds.

    ``getaddrinfo`` has no timeout of its own, so it runs in a daemon thread that is abandoned
    if the resolver hangs (it ends when the system resolver gives up).
    """
    answer: dict[str, object] = {}

    def lookup() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            answer["error"] = error

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise DataError(
            f"Looking up {host} took longer than {timeout:.0f} s: check the address and your network."
        )
    if "error" in answer:
        raise DataError(unresolved_message(host))
    infos = answer["infos"]
    assert isinstance(infos, list)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


@dataclass(frozen=True)
class AddressPolicy:
    """Resolves a host and says which of its addresses may be connected to.

    ``allow_private`` lets non-public addresses through (``RFM_STUDIO_ALLOW_PRIVATE_URLS``);
    ``resolver`` and ``is_allowed`` can be replaced (tests: a resolver whose answer changes,
    a policy that treats one loopback address as public).
    """

    allow_private: bool = field(default_factory=private_addresses_allowed)
    resolver: Resolver = resolve_with_timeout
    is_allowed: Callable[[str], bool] | None = None

    def addresses(self, url: HttpUrl, timeout: float) -> list[str]:
        """The addresses to connect to for ``url``, each one checked; a DataError if any is refused.

        One non-public answer refuses the host outright: a name that resolves to both a public
        and an internal address is exactly what a rebinding attack serves.
        """
        try:
            literal = ipaddress.ip_address(url.host)
        except ValueError:
            found = self.resolver(url.host, url.port, timeout)
        else:
            found = [str(literal)]
        if not found:
            raise DataError(unresolved_message(url.authority))
        for address in found:
            self.check(address, url)
        return found

    def check(self, address: str, url: HttpUrl) -> None:
        """Refuse ``address`` (a DataError) unless it is public or the policy allows it."""
        reason: str | None
        if self.is_allowed is not None:
            if self.is_allowed(address):
                return
            reason = "non-public"
        else:
            reason = non_public_reason(address)
            if reason is None or self.allow_private:
                return
        raise DataError(
            f"Refused to download from {url.authority}: it is on a {reason} address, not the public "
            "internet, and the studio does not fetch from its own machine or network. Download the file "
            "yourself and load that copy; on a private network, an administrator can set "
            f"{ALLOW_PRIVATE_SETTING}=1."
        )
