"""The shared httpx client for Corbado's Backend API v2, sending through aiohttp's pool.

The client sends through aiohttp's connection pool (`httpx_aiohttp.AiohttpTransport`):
httpcore's pool walked every pooled connection on each request and cost four times as much at
64 calls in flight.
"""

import base64
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

USER_AGENT = "connect-backend/0.1"


class PooledTransport(AiohttpTransport):
    """httpx_aiohttp's transport, with aiohttp's errors named as httpcore names them.

    httpx_aiohttp reports a refused connection and a dropped one as `httpx.ConnectTimeout`,
    and lets a malformed answer through as aiohttp's own error; the adapter must tell "cannot
    connect, retry later", "dropped mid-call" and "answered nonsense" from a timeout.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except (httpx.TransportError, aiohttp.ClientError) as exc:
            cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
            if isinstance(cause, TimeoutError) or not isinstance(cause, aiohttp.ClientError):
                raise
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ClientConnectionError | aiohttp.ClientOSError):
                raise httpx.ReadError(str(cause), request=request) from cause
            raise httpx.RemoteProtocolError(str(cause), request=request) from cause


class CorbadoClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` that names its transport, so `CorbadoCalls` can send the hot
    POSTs through it directly (`handle_async_request`, httpx's public extension point)."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport, **settings: Any) -> None:
        super().__init__(transport=transport, **settings)
        self.transport = transport


def build_corbado_client(
    base_url: str,
    project_id: str,
    api_secret: str,
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CorbadoClient:
    """The shared client for `HttpxCorbadoConnect`; `base_url` is CORBADO_BACKEND_API (no /v2).

    The caller owns it and closes it (`aclose`) at shutdown. Every request is a JSON POST with
    the project's Basic credentials, so those are default headers, built once, rather than an
    auth flow run per request.
    """
    credentials = base64.b64encode(f"{project_id}:{api_secret}".encode()).decode("ascii")
    return CorbadoClient(
        base_url=base_url.rstrip("/") + "/v2",
        timeout=httpx.Timeout(timeout_s, connect=min(3.0, timeout_s)),
        transport=(
            PooledTransport(limits=httpx.Limits(max_connections=100))
            if transport is None
            else transport
        ),
        headers={
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        },
    )
