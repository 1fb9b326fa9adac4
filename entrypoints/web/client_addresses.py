"""The client address of a request: `domain.protection.client_addresses` over its peer and its
`X-Forwarded-For` hops, resolved once and kept in the request's scope."""

from __future__ import annotations

from litestar.types import Scope

from domain.protection.client_addresses import TrustedProxies, limit_subject

_STATE_KEY = "connect_backend.client_ip"


class ClientAddresses:
    """Resolves a request's client address once per request."""

    def __init__(self, proxies: TrustedProxies) -> None:
        self._proxies = proxies

    def of(self, scope: Scope) -> str:
        """The client's address as text (the peer's raw name when it is not an IP address)."""
        state = scope.setdefault("state", {})
        cached = state.get(_STATE_KEY)
        if isinstance(cached, str):
            return cached
        client = scope.get("client")
        resolved = self._proxies.client(client[0] if client else "unknown", _forwarded_for(scope))
        state[_STATE_KEY] = resolved
        return resolved

    def subject(self, scope: Scope) -> str:
        """What rate limits count: the address, or its /64 network for IPv6."""
        return limit_subject(self.of(scope))


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return hops
