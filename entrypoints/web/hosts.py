"""Which `Host` names the app answers, when `create_app` is given `allowed_hosts` (`dev` gives
its loopback names against DNS rebinding: `corbado_emulator.dev.hosts`)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Headers
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware
from litestar.types import Receive, Scope, Send

from entrypoints.web.errors import HOST_NOT_ALLOWED, error_response


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
