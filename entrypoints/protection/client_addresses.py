"""Who the client is, for rate limits and logs: the peer, or what a trusted proxy says it saw.

`X-Forwarded-For` is read only when the direct peer is one of `TRUSTED_PROXIES`, and then from
the right: each trusted hop appended the address it saw, so the rightmost address that is not a
trusted proxy is the first one nobody we trust could have forged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_STATE_KEY = "connect_backend.client_ip"
# One IPv6 subscriber usually holds a whole /64; limiting single addresses would not bind them.
_IPV6_SUBJECT_PREFIX = 64


class ClientAddresses:
    """Resolves a request's client address once and keeps it in the request's scope."""

    def __init__(self, trusted_proxies: Iterable[IPNetwork]) -> None:
        self._trusted = tuple(trusted_proxies)

    def of(self, scope: Scope) -> str:
        """The client's address as text (the peer's raw name when it is not an IP address)."""
        state = scope.setdefault("state", {})
        cached = state.get(_STATE_KEY)
        if isinstance(cached, str):
            return cached
        resolved = self._resolve(scope)
        state[_STATE_KEY] = resolved
        return resolved

    def subject(self, scope: Scope) -> str:
        """What rate limits count: the address, or its /64 network for IPv6."""
        address = self.of(scope)
        parsed = _parse(address)
        if isinstance(parsed, ipaddress.IPv6Address):
            return str(ipaddress.ip_network(f"{parsed}/{_IPV6_SUBJECT_PREFIX}", strict=False))
        return address

    def _resolve(self, scope: Scope) -> str:
        client = scope.get("client")
        peer_text = client[0] if client else "unknown"
        peer = _parse(peer_text)
        if peer is None or not self._is_trusted(peer):
            return str(peer) if peer is not None else peer_text
        nearest_trusted = peer
        for hop in reversed(_forwarded_for(scope)):
            address = _parse(hop)
            if address is None:
                # Garbage a trusted proxy passed on: count the proxy, never the garbage.
                return str(nearest_trusted)
            if not self._is_trusted(address):
                return str(address)
            nearest_trusted = address
        return str(nearest_trusted)

    def _is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self._trusted)


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return hops


def _parse(text: str) -> IPAddress | None:
    candidate = text.strip()
    if candidate.startswith("["):
        # "[2001:db8::1]:443"
        candidate = candidate[1:].partition("]")[0]
    elif candidate.count(":") == 1:
        # "192.0.2.1:443"
        candidate = candidate.partition(":")[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
