"""One Corbado call: a request under a whole-call deadline, sent again only if it never left.

Every call is one request under a whole-call deadline, sent a second time (within that
deadline) only when no connection could be established, so nothing reached Corbado. What goes
wrong on the way becomes `CorbadoTimeout` or `CorbadoUnavailable`; neither exceptions nor log
lines carry the API secret, a connect token secret or `signedPasskeyData`.
"""

import asyncio
import json
import logging
from collections.abc import Mapping

import aiohttp
import httpx

from adapters.corbado.httpx_client import CorbadoClient
from domain.errors import CorbadoTimeout, CorbadoUnavailable

_log = logging.getLogger("connect_backend.corbado")


class CorbadoCalls:
    """The shared client and the whole-call deadline every Corbado operation sends under."""

    def __init__(self, client: httpx.AsyncClient, timeout_s: float) -> None:
        self._client = client
        self._timeout_s = timeout_s
        self._base_url = str(client.base_url).rstrip("/")
        self._urls: dict[str, httpx.URL] = {}
        # The POSTs of createConnectToken and completeLogin skip httpx's client layer (~0.2 ms
        # of CPU per call): the request is built from the client's own headers and timeouts and
        # handed to its transport (docs/decisions/0013-corbado-transport-direct.md).
        self._transport = client.transport if isinstance(client, CorbadoClient) else None
        self._headers = client.headers
        self._extensions = {"timeout": client.timeout.as_dict()}

    async def _post(self, path: str, body: Mapping[str, object]) -> httpx.Response:
        return await self._send("POST", self._absolute(path), path, content=_json(body))

    async def _request(
        self,
        method: str,
        url: httpx.URL | str,
        content: bytes | None,
        params: Mapping[str, str] | None,
    ) -> httpx.Response:
        if self._transport is None or params is not None or not isinstance(url, httpx.URL):
            return await self._client.request(method, url, content=content, params=params)
        request = httpx.Request(
            method, url, headers=self._headers, content=content, extensions=self._extensions
        )
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    def _absolute(self, path: str) -> httpx.URL:
        # Joined once per path: httpx would parse and merge the base URL on every call.
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base_url + path)
        return url

    async def _send(
        self,
        method: str,
        url: httpx.URL | str,
        path: str,
        *,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One request under the whole-call deadline; `path` names the operation in logs."""
        try:
            async with asyncio.timeout(self._timeout_s):
                try:
                    return await self._request(method, url, content, params)
                except httpx.ConnectError:
                    # No connection, so no request: safe to send once more, even a verify (a
                    # dropped connection is a ReadError and never comes here).
                    _log.info("Could not connect to Corbado for %s; trying once more", path)
                    return await self._request(method, url, content, params)
        except (TimeoutError, httpx.TimeoutException) as exc:
            _log.warning("Corbado did not answer %s within %s s", path, self._timeout_s)
            raise CorbadoTimeout(f"Corbado did not answer {path} in time") from exc
        except httpx.ConnectError as exc:
            _log.warning("Could not connect to Corbado for %s", path)
            raise CorbadoUnavailable(
                f"could not connect to Corbado for {path}", retry_later=True
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL, aiohttp.ClientError) as exc:
            # aiohttp's own errors can still surface while the body is read.
            _log.warning("Corbado call %s failed: %s", path, type(exc).__name__)
            raise CorbadoUnavailable(f"Corbado call {path} failed") from exc


def _json(body: Mapping[str, object]) -> bytes:
    # ASCII escapes: a lone surrogate (e.g. from JSON inside a JWT) has no UTF-8 encoding.
    return json.dumps(body, separators=(",", ":")).encode("ascii")
