"""Client addresses of requests: the peer and `X-Forwarded-For` read from the scope, resolved
once (the rule itself: tests/domain/test_client_addresses.py)."""

import ipaddress
from typing import Any

import pytest

from domain.protection.client_addresses import TrustedProxies
from entrypoints.web.observability import ClientAddresses

TRUSTED = ClientAddresses(
    TrustedProxies([ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:ffff::/48")])
)


def scope(peer: str | None, *forwarded_for: str) -> Any:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    return {"type": "http", "client": (peer, 1234) if peer else None, "headers": headers}


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.0.2.1", [], "192.0.2.1"),
        ("192.0.2.1", ["198.51.100.1"], "192.0.2.1"),  # untrusted peer: header ignored
        ("10.0.0.1", [], "10.0.0.1"),  # a trusted proxy without the header is the client
        ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.1", ["203.0.113.9, 198.51.100.1"], "198.51.100.1"),  # rightmost untrusted
        ("10.0.0.1", ["198.51.100.1, 10.0.0.2"], "198.51.100.1"),  # through two proxies
        ("10.0.0.1", ["203.0.113.9", "198.51.100.1"], "198.51.100.1"),  # repeated headers
        ("10.0.0.1", ["10.0.0.3, 10.0.0.2"], "10.0.0.3"),  # all trusted: the farthest
        ("10.0.0.1", ["not-an-ip"], "10.0.0.1"),  # garbage: count the proxy
        ("10.0.0.1", ["198.51.100.1:5555"], "198.51.100.1"),
        ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("::ffff:10.0.0.1", ["198.51.100.1"], "198.51.100.1"),  # IPv4-mapped peer
        ("testclient", ["198.51.100.1"], "testclient"),
        (None, [], "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], client: str) -> None:
    assert TRUSTED.of(scope(peer, *forwarded)) == client


def test_without_trusted_proxies_the_header_never_counts() -> None:
    assert ClientAddresses(TrustedProxies([])).of(scope("10.0.0.1", "198.51.100.1")) == "10.0.0.1"


def test_ipv6_clients_are_limited_by_their_slash_64() -> None:
    assert TRUSTED.subject(scope("2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::/64"
    assert TRUSTED.subject(scope("192.0.2.1")) == "192.0.2.1"


def test_the_address_is_resolved_once_per_request() -> None:
    request = scope("10.0.0.1", "198.51.100.1")
    assert TRUSTED.of(request) == "198.51.100.1"
    request["headers"] = []
    assert TRUSTED.of(request) == "198.51.100.1"
