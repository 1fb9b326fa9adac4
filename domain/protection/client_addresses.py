"""Who the client is, for rate limits and logs: the peer, or what a trusted proxy says it saw.

The forwarded hops are read only when the direct peer is a trusted proxy, and then from the
right: each trusted hop appended the address it saw, so the rightmost address that is not a
trusted proxy is the first one nobody we trust could have forged. Pure logic over the peer's
and the hops' text; the web layer reads them from the request (`X-Forwarded-For`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One IPv6 subscriber usually holds a whole /64; limiting single addresses would not bind them.
IPV6_SUBJECT_PREFIX = 64


@dataclass(frozen=True, slots=True)
class Client:
    """Who a request came from: its address as text, and what rate limits count for it."""

    address: str
    subject: str


class TrustedProxies:
    """The networks whose forwarded hops are believed."""

    def __init__(self, networks: Iterable[IPNetwork]) -> None:
        self._networks = tuple(networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address as text (the peer's raw name when it is not an IP address)."""
        return self.resolve(peer, forwarded_for).address

    def resolve(self, peer: str, forwarded_for: Sequence[str]) -> Client:
        """The client's address and its limit subject, each address parsed once."""
        address = self._address(peer, forwarded_for)
        if address is None:
            return Client(peer, peer)
        return Client(str(address), _subject(address))

    def _address(self, peer: str, forwarded_for: Sequence[str]) -> IPAddress | None:
        parsed_peer = parse_address(peer)
        if parsed_peer is None or not self._trusts(parsed_peer):
            return parsed_peer
        nearest_trusted = parsed_peer
        for hop in reversed(forwarded_for):
            address = parse_address(hop)
            if address is None:
                # Garbage a trusted proxy passed on: count the proxy, never the garbage.
                return nearest_trusted
            if not self._trusts(address):
                return address
            nearest_trusted = address
        return nearest_trusted

    def _trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self._networks)


def _subject(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_SUBJECT_PREFIX}", strict=False))
    return str(address)


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
