"""The Corbado Backend API v2 over httpx: connect tokens, passkey logins, account removal.

`HttpxCorbadoConnect` serves both Corbado ports (`CorbadoConnect`, `CorbadoAccounts`) on one
shared client, which `build_corbado_client` builds and the caller owns:
- the client sends through aiohttp's connection pool (`PooledTransport`): httpcore's pool walked
  every pooled connection on each request and cost four times as much at 64 calls in flight;
- every call is one request under a whole-call deadline, sent a second time (within that
  deadline) only when no connection could be established, so nothing reached Corbado; what goes
  wrong on the way becomes `CorbadoTimeout` or `CorbadoUnavailable`;
- the POSTs of createConnectToken and completeLogin skip httpx's client layer and go to the
  transport directly (docs/decisions/0013-corbado-transport-direct.md);
- error answers map onto the domain's errors (`_raise_for_status`): a refusal of our credentials
  or of a request we built is `CorbadoRejected`, anything else `CorbadoUnavailable`, which the
  HTTP error table answers 502/503/504; success bodies are decoded into their exact types.

Each removal is idempotent: what Corbado no longer has counts as removed. Neither exceptions nor
log lines carry Corbado's bodies (only the status, `requestID` and `error.type`, shortened), the
API secret, a connect token secret or `signedPasskeyData`.
"""

import asyncio
import base64
import json
import logging
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import aiohttp
import httpx
import msgspec
from httpx_aiohttp import AiohttpTransport

from domain.errors import CorbadoRejected, CorbadoTimeout, CorbadoUnavailable
from domain.model import (
    MAX_CORBADO_ID_LENGTH,
    ConnectTokenType,
    CorbadoPasskey,
    IssuedConnectToken,
    VerificationResult,
)

__all__ = ["USER_AGENT", "CorbadoClient", "HttpxCorbadoConnect", "PooledTransport"]

USER_AGENT = "connect-backend/0.1"

_CONNECT_TOKENS = "/connectTokens"
_VERIFY_SIGNED_DATA = "/passkey/verifySignedData"
_IDENTIFIERS = "/identifiers"
_USERS = "/users"
# How CredentialList and CredentialDelete are named in logs (the path holds ids).
_CREDENTIALS = "/users/{userID}/credentials"
# IdentifierList's largest page we ask for, and how many pages we read at most: Corbado holds
# one identifier per value and project, so more than one page already means something is off.
_IDENTIFIER_PAGE_SIZE = 100
_MAX_IDENTIFIER_PAGES = 10
# CredentialList likewise: a thousand passkeys on one user is not a person's.
_CREDENTIAL_PAGE_SIZE = 100
_MAX_CREDENTIAL_PAGES = 10
_MS_PER_S = 1000

_log = logging.getLogger("connect_backend.corbado")

_CorbadoId = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CORBADO_ID_LENGTH)]


# --- the client ----------------------------------------------------------------------------


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
    """An `httpx.AsyncClient` that names its transport, so `HttpxCorbadoConnect` can send the
    hot POSTs through it directly (`handle_async_request`, httpx's public extension point)."""

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

    The caller owns it and closes it (`aclose`) at shutdown. Every request is a JSON request
    with the project's Basic credentials, so those are default headers, built once, rather than
    an auth flow run per request.
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


# --- what Corbado answers --------------------------------------------------------------------


class _ConnectTokenRsp(msgspec.Struct):
    id: _CorbadoId
    secret: Annotated[str, msgspec.Meta(min_length=1)]
    expires: int


class _VerifyRsp(msgspec.Struct):
    verification_result: VerificationResult = msgspec.field(name="verificationResult")


class _Identifier(msgspec.Struct):
    value: str
    user_id: _CorbadoId = msgspec.field(name="userID")


class _Paging(msgspec.Struct):
    page: int
    total_pages: int = msgspec.field(name="totalPages")


class _IdentifierListRsp(msgspec.Struct):
    identifiers: list[_Identifier]
    paging: _Paging


class _Credential(msgspec.Struct):
    id: _CorbadoId
    created_ms: int = msgspec.field(name="createdMs")


class _CredentialListRsp(msgspec.Struct):
    credentials: list[_Credential]
    paging: _Paging


class _RequestData(msgspec.Struct):
    request_id: str | None = msgspec.field(default=None, name="requestID")


class _ValidationProblem(msgspec.Struct):
    field: str | None = None
    message: str | None = None


class _ErrorDetail(msgspec.Struct):
    type: str | None = None
    validation: list[_ValidationProblem] | None = None


class _ErrorRsp(msgspec.Struct):
    request_data: _RequestData | None = msgspec.field(default=None, name="requestData")
    error: _ErrorDetail | None = None


_Body = TypeVar("_Body", bound=msgspec.Struct)
# msgspec reports bad UTF-8 and over-deep nesting outside its own DecodeError.
_UNDECODABLE = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)


class _Failure:
    """What an error answer says about itself, reduced to values that are safe to log."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            envelope = msgspec.json.decode(response.content, type=_ErrorRsp)
        except _UNDECODABLE:
            envelope = _ErrorRsp()
        request_data = envelope.request_data or _RequestData()
        self.request_id = _printable(request_data.request_id)
        self.error_type = _printable(envelope.error.type if envelope.error else None)
        problems = (envelope.error.validation if envelope.error else None) or []
        self.no_longer_exists = self.error_type == "validation_error" and any(
            "does not exist" in (problem.message or "") for problem in problems
        )

    def log(self, level: int, what: str, path: str) -> None:
        _log.log(
            level,
            "%s (%s, HTTP %d, requestID=%s, error.type=%s)",
            what,
            path,
            self.status,
            self.request_id,
            self.error_type,
        )


def _printable(value: str | None) -> str:
    # Upstream text goes into our logs: keep it short and on one line.
    if value is None:
        return "-"
    return "".join(c for c in value[:64] if c.isprintable()) or "-"


def _raise_for_status(response: httpx.Response, path: str) -> None:
    """Nothing for a success; otherwise the domain error for what Corbado answered."""
    if response.is_success:
        return
    failure = _Failure(response)
    status = response.status_code
    if status in (401, 403):
        failure.log(
            logging.ERROR,
            "Corbado refused our credentials: check CORBADO_PROJECT_ID and CORBADO_API_SECRET",
            path,
        )
        raise CorbadoRejected("Corbado refused our credentials")
    if status == 400:
        failure.log(logging.ERROR, "Corbado refused a request we built", path)
        raise CorbadoRejected(f"Corbado refused our {path} request")
    if status == 429:
        failure.log(logging.WARNING, "Corbado rate limit reached", path)
        raise CorbadoUnavailable("Corbado rate limit reached", retry_later=True)
    failure.log(logging.ERROR, "Corbado failed", path)
    raise CorbadoUnavailable(f"Corbado answered {path} with HTTP {status}")


def _decode(response: httpx.Response, path: str, body_type: type[_Body]) -> _Body:
    """A success answer's body as `body_type`; `CorbadoUnavailable` if it is not one."""
    try:
        return msgspec.json.decode(response.content, type=body_type)
    except _UNDECODABLE as exc:
        _log.error(
            "Corbado answered %s with an unusable body (HTTP %d)", path, response.status_code
        )
        raise CorbadoUnavailable(f"Corbado answered {path} with an unusable body") from exc


def _no_longer_exists(response: httpx.Response) -> bool:
    return response.status_code == 404 or (
        response.status_code == 400 and _Failure(response).no_longer_exists
    )


def _json(body: Mapping[str, object]) -> bytes:
    # ASCII escapes: a lone surrogate (e.g. from JSON inside a JWT) has no UTF-8 encoding.
    return json.dumps(body, separators=(",", ":")).encode("ascii")


# --- the adapter -----------------------------------------------------------------------------


class HttpxCorbadoConnect:
    """`CorbadoConnect` and `CorbadoAccounts` on a shared `httpx.AsyncClient` built by
    `build_corbado_client`, every call under the whole-call deadline `timeout_s`."""

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

    # CorbadoConnect

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> IssuedConnectToken:
        """A new connect token (`POST /connectTokens`): its secret, id and expiry."""
        body = {
            "type": token_type.value,
            "data": {"identifier": identifier, "displayName": display_name},
        }
        response = await self._post(_CONNECT_TOKENS, body)
        _raise_for_status(response, _CONNECT_TOKENS)
        token = _decode(response, _CONNECT_TOKENS, _ConnectTokenRsp)
        return IssuedConnectToken(id=token.id, secret=token.secret, expires_at=token.expires)

    async def verify_signed_passkey_data(
        self, signed_passkey_data: str, username: str
    ) -> VerificationResult:
        """Corbado's `verificationResult` (`POST /passkey/verifySignedData`), asked once."""
        body = {"signedPasskeyData": signed_passkey_data, "username": username}
        response = await self._post(_VERIFY_SIGNED_DATA, body)
        if response.status_code == 400:
            failure = _Failure(response)
            # We sent two strings, so Corbado refuses the data itself: a failed login, no outage.
            if failure.error_type == "validation_error":
                failure.log(
                    logging.WARNING, "Corbado refused the passkey data", _VERIFY_SIGNED_DATA
                )
                return VerificationResult.GENERIC_ERROR
        _raise_for_status(response, _VERIFY_SIGNED_DATA)
        return _decode(response, _VERIFY_SIGNED_DATA, _VerifyRsp).verification_result

    # CorbadoAccounts

    async def delete_connect_token(self, token_id: str) -> None:
        """`DELETE /connectTokens/{id}`; a token Corbado no longer has counts as deleted."""
        await self._delete(f"{_CONNECT_TOKENS}/{quote(token_id, safe='')}", _CONNECT_TOKENS)

    async def user_ids_for(self, identifier: str) -> list[str]:
        """`GET /identifiers` filtered on `identifierValue`, every page; only exact matches."""
        user_ids: list[str] = []
        for page in range(1, _MAX_IDENTIFIER_PAGES + 1):
            # Corbado decodes a filter's value once more (its SDK's own tests rely on it), so an
            # address with "+" must be sent escaped, or it is not found and survives.
            params = {
                "filter[]": f"identifierValue:eq:{quote(identifier, safe='')}",
                "page": str(page),
                "pageSize": str(_IDENTIFIER_PAGE_SIZE),
            }
            response = await self._send("GET", _IDENTIFIERS, _IDENTIFIERS, params=params)
            _raise_for_status(response, _IDENTIFIERS)
            listed = _decode(response, _IDENTIFIERS, _IdentifierListRsp)
            # Never trust the filter alone: a user we delete must hold exactly this identifier.
            user_ids.extend(
                found.user_id
                for found in listed.identifiers
                if found.value == identifier and found.user_id not in user_ids
            )
            if page >= listed.paging.total_pages:
                return user_ids
        _log.error("Corbado listed more than %d pages of one identifier", _MAX_IDENTIFIER_PAGES)
        raise CorbadoUnavailable("Corbado listed too many identifiers")

    async def delete_user(self, corbado_user_id: str) -> None:
        """`DELETE /users/{id}`; a user Corbado no longer has counts as deleted.

        The live API answers an unknown user with 400 `validation_error` on `userID` ("does
        not exist", seen by Corbado's own SDK tests), where the spec suggests 404: both are done.
        """
        await self._delete(f"{_USERS}/{quote(corbado_user_id, safe='')}", _USERS)

    async def passkeys_of(self, corbado_user_id: str) -> list[CorbadoPasskey]:
        """`GET /users/{id}/credentials`, every page; none for a user Corbado no longer has."""
        path = f"{_USERS}/{quote(corbado_user_id, safe='')}/credentials"
        passkeys: list[CorbadoPasskey] = []
        for page in range(1, _MAX_CREDENTIAL_PAGES + 1):
            params = {"page": str(page), "pageSize": str(_CREDENTIAL_PAGE_SIZE)}
            response = await self._send("GET", path, _CREDENTIALS, params=params)
            if _no_longer_exists(response):
                return []
            _raise_for_status(response, _CREDENTIALS)
            listed = _decode(response, _CREDENTIALS, _CredentialListRsp)
            passkeys.extend(
                CorbadoPasskey(found.id, corbado_user_id, found.created_ms // _MS_PER_S)
                for found in listed.credentials
            )
            if page >= listed.paging.total_pages:
                return passkeys
        _log.error(
            "Corbado listed more than %d pages of one user's passkeys", _MAX_CREDENTIAL_PAGES
        )
        raise CorbadoUnavailable("Corbado listed too many passkeys")

    async def delete_passkey(self, corbado_user_id: str, credential_id: str) -> None:
        """`DELETE /users/{id}/credentials/{id}`; a passkey Corbado no longer has counts as
        deleted."""
        await self._delete(
            f"{_USERS}/{quote(corbado_user_id, safe='')}/credentials/"
            f"{quote(credential_id, safe='')}",
            _CREDENTIALS,
        )

    # one call

    async def _delete(self, path: str, operation: str) -> None:
        response = await self._send("DELETE", path, operation)
        if _no_longer_exists(response):
            return  # already gone: a retry after a lost answer meets this
        _raise_for_status(response, operation)

    async def _post(self, path: str, body: Mapping[str, object]) -> httpx.Response:
        return await self._send("POST", self._absolute(path), path, content=_json(body))

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
