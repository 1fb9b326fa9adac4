"""Who the client is, for rate limits and logs: the peer, or what a trusted proxy says it saw.

The forwarded hops are read only when the direct peer is a trusted proxy, and then from the
right: each trusted hop appended the address it saw, so the rightmost address that is not a
trusted proxy is the first one nobody we trust could have forged. Pure logic over the peer's
and the hops' text; the web layer reads them from the request (`X-Forwarded-For`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One IPv6 subscriber usually holds a whole /64; limiting single addresses would not bind them.
IPV6_SUBJECT_PREFIX = 64


class TrustedProxies:
    """The networks whose forwarded hops are believed."""

    def __init__(self, networks: Iterable[IPNetwork]) -> None:
        self._networks = tuple(networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address as text (the peer's raw name when it is not an IP address)."""
        parsed_peer = parse_address(peer)
        if parsed_peer is None:
            return peer
        if not self._trusts(parsed_peer):
            return str(parsed_peer)
        nearest_trusted = parsed_peer
        for hop in reversed(forwarded_for):
            address = parse_address(hop)
            if address is None:
                # Garbage a trusted proxy passed on: count the proxy, never the garbage.
                return str(nearest_trusted)
            if not self._trusts(address):
                return str(address)
            nearest_trusted = address
        return str(nearest_trusted)

    def _trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self._networks)


def limit_subject(address: str) -> str:
    """What rate limits count for a client: the address, or its /64 network for IPv6."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_SUBJECT_PREFIX}", strict=False))
    return address


def parse_address(text: str) -> IPAddress | None:
    """The IP address in `text` (a port and IPv6 brackets dropped, IPv4-mapped IPv6 as IPv4),
    or None when it holds none."""
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
