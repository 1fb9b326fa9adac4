"""The client of a request: `domain.protection.client_addresses` over its peer and its
`X-Forwarded-For` hops, resolved once and kept in the request's scope."""

from __future__ import annotations

from litestar.types import Scope

from domain.protection.client_addresses import Client, TrustedProxies

_STATE_KEY = "connect_backend.client"


class ClientAddresses:
    """Resolves a request's client once per request: its address (logs) and subject (limits)."""

    def __init__(self, proxies: TrustedProxies) -> None:
        self._proxies = proxies

    def client(self, scope: Scope) -> Client:
        """The request's client, resolved on first use and kept in the scope's state."""
        state = scope.setdefault("state", {})
        known = state.get(_STATE_KEY)
        if isinstance(known, Client):
            return known
        peer = scope.get("client")
        resolved = self._proxies.resolve(peer[0] if peer else "unknown", _forwarded_for(scope))
        state[_STATE_KEY] = resolved
        return resolved

    def of(self, scope: Scope) -> str:
        """The client's address as text (the peer's raw name when it is not an IP address)."""
        return self.client(scope).address

    def subject(self, scope: Scope) -> str:
        """What rate limits count: the address, or its /64 network for IPv6."""
        return self.client(scope).subject


def resolved_client(scope: Scope) -> Client:
    """The client a `ClientAddresses` resolved for this request (the observability step does,
    before anything else runs); `LookupError` when none has."""
    known = scope.get("state", {}).get(_STATE_KEY)
    if not isinstance(known, Client):
        raise LookupError("the request's client was not resolved")
    return known


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return hops
