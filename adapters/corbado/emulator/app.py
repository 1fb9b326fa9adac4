"""The emulator's routes, Basic auth and request validation, assembled into a Litestar app."""

import base64
import hmac
import time
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

import msgspec
from litestar import Litestar, Request, Router, post
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler

from adapters.corbado.emulator.envelope import (
    STARTED,
    ApiError,
    api_error_response,
    http_exception_response,
    internal_error_response,
    validation_error,
)
from adapters.corbado.emulator.ids import random_id, random_text
from adapters.corbado.emulator.passkeys import PasskeyAuthority
from domain.model import ConnectTokenType

MAX_BODY_BYTES = 64 * 1024
DEFAULT_TOKEN_LIFETIME_S = 3600
_MISSING = object()
_TOKEN_TYPES = frozenset(t.value for t in ConnectTokenType)


def _now() -> int:
    return int(time.time())


def create_emulator_app(
    project_id: str, api_secret: str, clock: Callable[[], int] = _now
) -> Litestar:
    """A Corbado Backend API v2 stand-in under `/v2`; state lives in memory, no lifespan needed."""
    authority = PasskeyAuthority(project_id, clock)
    expected_credentials = f"{project_id}:{api_secret}".encode()

    def require_basic_auth(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        if not _credentials_match(connection.headers.get("authorization"), expected_credentials):
            raise ApiError(401, "login_error", "Login error", headers={"WWW-Authenticate": "Basic"})

    @post("/connectTokens", status_code=200, guards=[require_basic_auth])
    async def create_connect_token(request: Request[Any, Any, Any]) -> dict[str, object]:
        token_type, data, lifetime_s = _connect_token_request(await _json_object(request))
        return {
            "id": random_id("ctk"),
            "tokenType": token_type,
            "data": data,
            "connectTokenStatus": "initial",
            "secret": f"ctk1_{random_text(30)}",
            "expires": clock() + lifetime_s,
        }

    @post("/passkey/verifySignedData", status_code=200, guards=[require_basic_auth])
    async def verify_signed_data(request: Request[Any, Any, Any]) -> dict[str, object]:
        body = await _json_object(request)
        problems: list[tuple[str, str]] = []
        signed_passkey_data = _text(body, "signedPasskeyData", problems, blank_ok=True)
        username = _text(body, "username", problems, blank_ok=True)
        _raise_problems(problems)
        return {"verificationResult": authority.verify(signed_passkey_data, username).value}

    # Open: it stands in for the browser's passkey ceremony, which needs no API secret.
    @post("/_emulator/passkeyLogin", status_code=200)
    async def passkey_login(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        identifier = _text(await _json_object(request), "identifier", problems)
        _raise_problems(problems)
        return {"signedPasskeyData": authority.mint(identifier)}

    def stamp_start(request: Request[Any, Any, Any]) -> None:
        request.state[STARTED] = perf_counter()

    handlers = [create_connect_token, verify_signed_data, passkey_login]
    return Litestar(
        route_handlers=[Router("/v2", route_handlers=handlers)],
        before_request=stamp_start,
        exception_handlers={
            ApiError: api_error_response,
            HTTPException: http_exception_response,
            Exception: internal_error_response,
        },
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
        logging_config=None,
    )


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


def _connect_token_request(body: Mapping[str, Any]) -> tuple[str, dict[str, str], int]:
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
    return token_type, echoed, lifetime_s


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
