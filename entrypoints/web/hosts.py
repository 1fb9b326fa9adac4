"""Which `Host` names the app answers: `dev`, only its loopback names.

`dev` serves the emulator, whose `passkeyLogin` mints a login for any identifier. A page whose
name an attacker makes resolve to 127.0.0.1 (DNS rebinding) is same-origin with it, so were
`dev` to answer any `Host`, that page could log in to any account of the developer's database.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.datastructures import Headers
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware
from litestar.types import Receive, Scope, Send

from entrypoints.web.errors import HOST_NOT_ALLOWED, error_response

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_HTTP_PORT = 80


def loopback_hosts(port: int) -> AllowedHostsConfig:
    """The `Host` values of a server on `port` of this machine: each loopback name with the
    port (on port 80 also without it, as clients leave the default port out)."""
    hosts = [f"{name}:{port}" for name in LOOPBACK_NAMES]
    if port == DEFAULT_HTTP_PORT:
        hosts.extend(LOOPBACK_NAMES)
    return AllowedHostsConfig(allowed_hosts=hosts, www_redirect=False)


class AllowedHostsOnly(AllowedHostsMiddleware):
    """Litestar's allowed-hosts middleware (`config` says which), refusing any other `Host`, or
    none, with the error table's body (400 `host_not_allowed`) instead of Litestar's own."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.allowed_hosts_regex
        host = Headers.from_scope(scope).get("host")
        if allowed is None or (host is not None and allowed.fullmatch(host)):
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        response = error_response(request, HOST_NOT_ALLOWED)
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)
