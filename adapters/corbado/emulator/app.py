"""The emulator's routes, Basic auth and request validation, assembled into a Litestar app."""

import base64
import hmac
import time
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

import msgspec
from litestar import Litestar, Request, Router, delete, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.corbado.emulator.connect_tokens import ConnectTokens
from adapters.corbado.emulator.directory import Directory
from adapters.corbado.emulator.envelope import (
    STARTED,
    ApiError,
    api_error_response,
    generic_rsp,
    http_exception_response,
    internal_error_response,
    validation_error,
)
from adapters.corbado.emulator.listing import parse_identifier_query
from adapters.corbado.emulator.passkeys import PasskeyAuthority
from domain.model import ConnectTokenType

MAX_BODY_BYTES = 64 * 1024
DEFAULT_TOKEN_LIFETIME_S = 3600
BACKEND_API = "/v2"
OPEN_PREFIX = "/v2/_emulator"
_MISSING = object()
_TOKEN_TYPES = frozenset(t.value for t in ConnectTokenType)


def _now() -> int:
    return int(time.time())


def create_emulator_app(
    project_id: str, api_secret: str, clock: Callable[[], int] = _now
) -> Litestar:
    """A Corbado Backend API v2 stand-in under `/v2`; state lives in memory, no lifespan needed."""
    users = Directory()
    connect_tokens = ConnectTokens(clock)
    authority = PasskeyAuthority(project_id, clock, users)
    expected_credentials = f"{project_id}:{api_secret}".encode()

    def require_basic_auth(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        # `_authenticate_first` has checked already; this holds should a path ever route here
        # that its prefix test took for an open one.
        if not _credentials_match(connection.headers.get("authorization"), expected_credentials):
            raise _login_error()

    @post("/connectTokens", status_code=200)
    async def create_connect_token(request: Request[Any, Any, Any]) -> dict[str, object]:
        token_type, data, lifetime_s = _connect_token_request(await _json_object(request))
        if token_type is ConnectTokenType.PASSKEY_APPEND:
            users.ensure(data["identifier"])
        return connect_tokens.issue(token_type, data, lifetime_s).to_json()

    @delete("/connectTokens/{connect_token_id:str}", status_code=200)
    async def delete_connect_token(
        request: Request[Any, Any, Any], connect_token_id: FromPath[str]
    ) -> dict[str, object]:
        if not connect_tokens.delete(connect_token_id):
            raise ApiError(404, "not_found", "ConnectToken not found")
        return generic_rsp(request)

    @post("/passkey/verifySignedData", status_code=200)
    async def verify_signed_data(request: Request[Any, Any, Any]) -> dict[str, object]:
        body = await _json_object(request)
        problems: list[tuple[str, str]] = []
        signed_passkey_data = _text(body, "signedPasskeyData", problems, blank_ok=True)
        username = _text(body, "username", problems, blank_ok=True)
        _raise_problems(problems)
        return {"verificationResult": authority.verify(signed_passkey_data, username).value}

    @get("/identifiers")
    async def list_identifiers(request: Request[Any, Any, Any]) -> dict[str, object]:
        query = parse_identifier_query(request.query_params.multi_items())
        return query.answer(users.identifiers())

    @delete("/users/{user_id:str}", status_code=200)
    async def delete_user(
        request: Request[Any, Any, Any], user_id: FromPath[str]
    ) -> dict[str, object]:
        if not users.delete(user_id):
            # corbado-python's integration tests see the live API answer an unknown user with
            # 400 validation_error ("userID: does not exist"); the emulator answers 404
            # not_found as corbado-backend-api.md §12 says. A client should accept either.
            raise ApiError(404, "not_found", "User not found")
        return generic_rsp(request)

    # Open: it stands in for the browser's passkey ceremony, which needs no API secret.
    @post("/passkeyLogin", status_code=200)
    async def passkey_login(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        identifier = _text(await _json_object(request), "identifier", problems)
        _raise_problems(problems)
        return {"signedPasskeyData": authority.mint(users.ensure(identifier))}

    backend_api = [
        create_connect_token,
        delete_connect_token,
        verify_signed_data,
        list_identifiers,
        delete_user,
    ]
    app = Litestar(
        route_handlers=[
            Router(BACKEND_API, route_handlers=backend_api, guards=[require_basic_auth]),
            Router(OPEN_PREFIX, route_handlers=[passkey_login]),
        ],
        exception_handlers={
            ApiError: api_error_response,
            HTTPException: http_exception_response,
            Exception: internal_error_response,
        },
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
        logging_config=None,
    )
    app.asgi_handler = _authenticate_first(app.asgi_handler, expected_credentials)
    return app


def _authenticate_first(handler: ASGIApp, expected_credentials: bytes) -> ASGIApp:
    """`handler` behind Corbado's order: Basic credentials are checked before any routing.

    So bad credentials get 401 `login_error` on an unknown path or with a wrong method too, not
    404 or 405. Litestar routes before it runs guards, hence this wrapper around its routing.
    """

    async def authenticate_first(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            scope["state"][STARTED] = perf_counter()
            if _is_backend_api(scope["path"]) and not _credentials_match(
                Headers.from_scope(scope).get("authorization"), expected_credentials
            ):
                request: Request[Any, Any, Any] = Request(scope, receive, send)
                response = api_error_response(request, _login_error())
                await response.to_asgi_response(None, request)(scope, receive, send)
                return
        await handler(scope, receive, send)

    return authenticate_first


def _is_backend_api(path: str) -> bool:
    """Whether `path` is the Backend API's (every `/v2` path but the emulator's own)."""
    in_v2 = path == BACKEND_API or path.startswith(BACKEND_API + "/")
    return in_v2 and not (path == OPEN_PREFIX or path.startswith(OPEN_PREFIX + "/"))


def _login_error() -> ApiError:
    return ApiError(401, "login_error", "Login error", headers={"WWW-Authenticate": "Basic"})


def _credentials_match(header: str | None, expected: bytes) -> bool:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        return False
    return hmac.compare_digest(given, expected)


async def _json_object(request: Request[Any, Any, Any]) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(await request.body())
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", "Request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise validation_error([("body", "must be an object")])
    return body


def _connect_token_request(
    body: Mapping[str, Any],
) -> tuple[ConnectTokenType, dict[str, str], int]:
    problems: list[tuple[str, str]] = []
    token_type = _text(body, "type", problems)
    if token_type and token_type not in _TOKEN_TYPES:
        problems.append(("type", f"must be one of {', '.join(sorted(_TOKEN_TYPES))}"))
    data = body.get("data", _MISSING)
    echoed: dict[str, str] = {}
    if isinstance(data, dict):
        echoed["identifier"] = _text(data, "identifier", problems, field="data.identifier")
        is_append = token_type == ConnectTokenType.PASSKEY_APPEND
        # Corbado's own examples send displayName with every type; only append requires it.
        if is_append or "displayName" in data:
            echoed["displayName"] = _text(
                data, "displayName", problems, field="data.displayName", blank_ok=not is_append
            )
    else:
        problems.append(("data", "is required" if data is _MISSING else "must be an object"))
    lifetime_s = body.get("maxLifetimeInSeconds", DEFAULT_TOKEN_LIFETIME_S)
    if not isinstance(lifetime_s, int) or isinstance(lifetime_s, bool) or lifetime_s < 1:
        problems.append(("maxLifetimeInSeconds", "must be a positive integer"))
    _raise_problems(problems)
    return ConnectTokenType(token_type), echoed, lifetime_s


def _text(
    fields: Mapping[str, Any],
    name: str,
    problems: list[tuple[str, str]],
    *,
    field: str | None = None,
    blank_ok: bool = False,
) -> str:
    """The string `fields[name]`, or "" after recording why it is unusable."""
    value = fields.get(name, _MISSING)
    if value is _MISSING:
        problems.append((field or name, "is required"))
    elif not isinstance(value, str):
        problems.append((field or name, "must be a string"))
    elif not blank_ok and not value.strip():
        problems.append((field or name, "cannot be blank"))
    else:
        return value
    return ""


def _raise_problems(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise validation_error(problems)
