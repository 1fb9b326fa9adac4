"""CORS for the Frontend API: a page on any loopback origin may call it, as Corbado's real
Frontend API is called cross-origin (from `https://<your site>` to `<project>.frontendapi…`).

Allowed origins: `http://localhost[:port]`, `http://127.0.0.1[:port]`, `http://[::1][:port]`
(and their `https://` twins, for a dev server with a local certificate), and the exact origins
the emulator is given (`CORS_ALLOW_ORIGINS` in `dev`). `@corbado/web-core`
sends its calls with credentials (axios `withCredentials`) and its own headers, so an allowed
origin gets itself back in `Access-Control-Allow-Origin` (never `*`) with
`Access-Control-Allow-Credentials: true`. A preflight is answered here, before routing: 204
when the origin, the method (POST) and every requested header are allowed, else 403 in the
`errorRsp` envelope without any `Access-Control-*` header, so the browser blocks the call and
says why. Only the Frontend API takes part: the Backend API is for servers, with a secret.
"""

import re
from collections.abc import Callable, Collection
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from corbado_emulator.envelope import ApiError, api_error_response

ALLOWED_METHODS = ("POST",)
# What web-core's ConnectService sends (its axios instance and generated client), and fetch's
# ordinary one.
ALLOWED_HEADERS = (
    "content-type",
    "x-corbado-client-timezone",
    "x-corbado-process-id",
    "x-corbado-projectid",
    "x-corbado-sdk",
)
MAX_AGE_S = 600
_LOOPBACK_ORIGIN = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?")


class FrontendCors:
    """Which origins may call the Frontend API from a browser, and the headers that say so."""

    def __init__(self, extra_origins: Collection[str] = ()) -> None:
        self._extra = frozenset(extra_origins)

    def allows(self, origin: str) -> bool:
        """Whether a page on `origin` may call the Frontend API."""
        if origin in self._extra:
            return True
        match = _LOOPBACK_ORIGIN.fullmatch(origin)
        return match is not None and _port_in_range(match.group(2))

    def preflight_allows(self, headers: Headers) -> bool:
        """Whether a preflight's origin, method and requested headers are all allowed."""
        requested = headers.get("access-control-request-headers", "")
        return (
            self.allows(headers.get("origin", ""))
            and headers.get("access-control-request-method", "") in ALLOWED_METHODS
            and all(
                name.strip().lower() in ALLOWED_HEADERS
                for name in requested.split(",")
                if name.strip()
            )
        )

    def wrap(self, handler: ASGIApp, applies: Callable[[Scope], bool]) -> ASGIApp:
        """`handler` with CORS on the requests for which `applies(scope)` holds."""

        async def with_cors(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP or not applies(scope):
                await handler(scope, receive, send)
                return
            headers = Headers.from_scope(scope)
            origin = headers.get("origin")
            if origin is None:
                await handler(scope, receive, send)
            elif scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
                await self._preflight(scope, receive, send, headers)
            elif self.allows(origin):
                await handler(scope, receive, _with_allow_origin(send, origin))
            else:
                await handler(scope, receive, send)

        return with_cors

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        if self.preflight_allows(headers):
            response: Response[Any] = Response(
                None,
                status_code=204,
                headers={
                    **_allow_origin(headers.get("origin", "")),
                    "Access-Control-Allow-Methods": ", ".join(ALLOWED_METHODS),
                    "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
                    "Access-Control-Max-Age": str(MAX_AGE_S),
                },
            )
        else:
            refused = ApiError(403, "cors_rejected", "This origin, method or header is not allowed")
            response = api_error_response(request, refused)
        await response.to_asgi_response(None, request)(scope, receive, send)


def _port_in_range(port: str | None) -> bool:
    return port is None or 1 <= int(port[1:]) <= 65535


def _allow_origin(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def _with_allow_origin(send: Send, origin: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            headers.update(_allow_origin(origin))
        await send(message)

    return wrapped
