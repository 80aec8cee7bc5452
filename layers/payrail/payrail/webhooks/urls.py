"""Webhook URLs without server-side request forgery.

A merchant chooses where payrail sends requests, so a webhook URL must never make payrail call
its own network (the instance metadata service at 169.254.169.254, VPC hosts, loopback):

* **deployed mode**: only ``https``; the host is resolved and *every* address it resolves to must
  be public (not private, loopback, link-local, shared/CGNAT, reserved, multicast or unspecified;
  IPv4-mapped and NAT64 IPv6 addresses are judged by their IPv4 part). Checked when the endpoint is
  created or its URL changes, **and again at delivery time on the address actually connected to**
  (:func:`delivery_session`), so a DNS answer that changes afterwards (rebinding) is refused too.
  Redirects are never followed and proxies from the environment are ignored.
* **local mode** (the local cloud): ``https`` anywhere, and ``http`` to loopback hosts
  (``localhost``, ``127.0.0.0/8``, ``::1``) for the local receiver; nothing is resolved.

URLs with credentials (``https://user:pass@…``) are refused in both modes.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Callable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from payrail.core.errors import ValidationFailed

MAX_URL_LENGTH = 2048
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
Resolver = Callable[..., list]


def is_public(address: str) -> bool:
    """True when ``address`` (an IPv4 or IPv6 literal) is a globally routable unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, local_mode: bool, resolve: Resolver = socket.getaddrinfo) -> str:
    """Validate a webhook URL for the mode (module docstring); returns it unchanged.

    Args:
        local_mode: the local cloud's rules instead of the deployed ones.
        resolve: ``socket.getaddrinfo``-like resolver (tests pass a fake).

    Raises:
        ValidationFailed (400, ``param="url"``): not an acceptable URL, with the reason.
    """
    def refuse(why: str) -> ValidationFailed:
        return ValidationFailed(f"url {why}", param="url", code="url_invalid")

    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise refuse(f"must be 1..{MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse("is not a valid URL") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not host or any(c.isspace() for c in url):
        raise refuse("must be an absolute URL with a host")
    if parts.username is not None or parts.password is not None:
        raise refuse("must not contain credentials")
    if local_mode:
        if scheme == "https" or (scheme == "http" and _is_loopback_host(host)):
            return url
        raise refuse("must use https (http only to a loopback host in local mode)")
    if scheme != "https":
        raise refuse("must use https")
    try:
        infos = resolve(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise refuse(f"host {host} cannot be resolved") from None
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise refuse(f"host {host} cannot be resolved")
    private = [a for a in addresses if not is_public(a)]
    if private:
        raise refuse(f"resolves to a non-public address ({private[0]}): private, loopback and link-local "
                     "addresses are refused")
    return url


class BlockedAddress(NewConnectionError):
    """A connection reached an address that is not public (deployed mode)."""


def _connection_class(cls: type, block_private: bool, sockets: list) -> type:
    """``cls`` (a urllib3 connection class) that records its sockets in ``sockets`` and, with
    ``block_private``, refuses a socket connected to a non-public address."""

    class Connection(cls):
        def _new_conn(self):
            sock = super()._new_conn()
            sockets.append(sock)
            peer = sock.getpeername()[0]
            if block_private and not is_public(peer):
                sock.close()
                raise BlockedAddress(self, f"blocked: {self.host} is at {peer}, not a public address")
            return sock

    return Connection


class _DeliveryAdapter(HTTPAdapter):
    """An adapter whose connection pools use :func:`_connection_class`."""

    def __init__(self, block_private: bool, sockets: list):
        self.block_private, self.sockets = block_private, sockets
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        conn = {s: _connection_class(c, self.block_private, self.sockets)
                for s, c in (("http", HTTPConnection), ("https", HTTPSConnection))}
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("DeliveryHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": conn["http"]}),
            "https": type("DeliveryHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": conn["https"]}),
        }


def delivery_session(block_private: bool) -> tuple[requests.Session, list[socket.socket]]:
    """A session for one delivery attempt and the list its sockets are recorded in (so a watchdog
    can cut them off at the attempt's deadline). No retries, no proxies from the environment; with
    ``block_private`` every connection to a non-public address fails with :class:`BlockedAddress`
    (raised as a ``requests.ConnectionError``) before anything is sent."""
    sockets: list[socket.socket] = []
    s = requests.Session()
    s.trust_env = False
    adapter = _DeliveryAdapter(block_private, sockets)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s, sockets
