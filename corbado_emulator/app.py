"""The emulator's routers and Basic auth, assembled into a Litestar app."""

import base64
import hmac
import time
from collections.abc import Callable, Collection
from pathlib import Path
from time import perf_counter
from typing import Any

from litestar import Litestar, Request, Router, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from corbado_emulator.authentication import Authentication
from corbado_emulator.backend import BackendState, backend_handlers
from corbado_emulator.bodies import json_bodies_only, json_object, raise_problems, text
from corbado_emulator.challenges import Challenges
from corbado_emulator.connect_tokens import ConnectTokens
from corbado_emulator.cors import FrontendCors
from corbado_emulator.directory import Directory
from corbado_emulator.envelope import (
    STARTED,
    ApiError,
    api_error_response,
    http_exception_response,
    internal_error_response,
)
from corbado_emulator.frontend import FRONTEND_PREFIX, FrontendState, frontend_handlers
from corbado_emulator.passkeys import PasskeyAuthority
from corbado_emulator.registration import Registration
from corbado_emulator.relying_party import RelyingParty

MAX_BODY_BYTES = 64 * 1024
BACKEND_API = "/v2"
OPEN_PREFIX = "/v2/_emulator"


def _now() -> int:
    return int(time.time())


def create_emulator_app(
    project_id: str,
    api_secret: str,
    clock: Callable[[], int] = _now,
    *,
    state_path: Path | None = None,
    origins: Collection[str] | None = None,
    cors_origins: Collection[str] = (),
) -> Litestar:
    """A Corbado stand-in: the Backend API under `/v2`, the Frontend API's passkey ceremonies
    under `/frontendapi/v2/connect`, and `/v2/_emulator/passkeyLogin`.

    Users, identifiers and passkeys are kept in the JSON file `state_path` when given (else in
    memory only); connect tokens, challenges and the signing key live as long as the app.
    `origins` pins the origins the ceremonies accept (default: any on `localhost`). Pages on
    loopback origins and on `cors_origins` may call the Frontend API (`cors.py`).

    Mounted under a path, the app expects the ASGI convention: `root_path` is that path and
    `path` the whole path; the Frontend API then names its URL with it (`frontendApiUrl`).
    """
    directory = Directory(state_path)
    connect_tokens = ConnectTokens(clock)
    authority = PasskeyAuthority(project_id, clock, directory)
    relying_party = RelyingParty(origins)
    # One pool for both ceremonies: MAX_PENDING bounds them together.
    challenges = Challenges(clock)
    registration = Registration(directory, relying_party, challenges, clock)
    authentication = Authentication(directory, relying_party, challenges, clock)
    expected_credentials = f"{project_id}:{api_secret}".encode()

    def require_basic_auth(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        # `_authenticate_first` has checked already; this holds should a path ever route here
        # that its prefix test took for an open one.
        if not _credentials_match(connection.headers.get("authorization"), expected_credentials):
            raise _login_error()

    # Open: it stands in for the browser's passkey ceremony, which needs no API secret.
    @post("/passkeyLogin", status_code=200)
    async def passkey_login(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        value = text(await json_object(request), "identifier", problems)
        raise_problems(problems)
        identifier = directory.ensure(value, clock())
        return {"signedPasskeyData": authority.mint(directory.stand_in(identifier, clock()))}

    backend = backend_handlers(BackendState(directory, connect_tokens, authority, clock))
    frontend = frontend_handlers(
        FrontendState(directory, connect_tokens, authority, registration, authentication, clock)
    )
    app = Litestar(
        route_handlers=[
            Router(BACKEND_API, route_handlers=backend, guards=[require_basic_auth]),
            Router(OPEN_PREFIX, route_handlers=[passkey_login]),
            Router(FRONTEND_PREFIX, route_handlers=frontend),
        ],
        guards=[json_bodies_only],
        exception_handlers={
            ApiError: api_error_response,
            HTTPException: http_exception_response,
            Exception: internal_error_response,
        },
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
        logging_config=None,
    )
    app.asgi_handler = FrontendCors(cors_origins).wrap(
        _authenticate_first(app.asgi_handler, expected_credentials), _is_frontend_api
    )
    return app


def _authenticate_first(handler: ASGIApp, expected_credentials: bytes) -> ASGIApp:
    """`handler` behind Corbado's order: Basic credentials are checked before any routing.

    So bad credentials get 401 `login_error` on an unknown path or with a wrong method too, not
    404 or 405. Litestar routes before it runs guards, hence this wrapper around its routing.
    """

    async def authenticate_first(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            scope["state"][STARTED] = perf_counter()
            if _is_backend_api(_local_path(scope)) and not _credentials_match(
                Headers.from_scope(scope).get("authorization"), expected_credentials
            ):
                request: Request[Any, Any, Any] = Request(scope, receive, send)
                response = api_error_response(request, _login_error())
                await response.to_asgi_response(None, request)(scope, receive, send)
                return
        await handler(scope, receive, send)

    return authenticate_first


def _local_path(scope: Scope) -> str:
    """The path inside the emulator: without the `root_path` it is mounted under."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


def _is_frontend_api(scope: Scope) -> bool:
    path = _local_path(scope)
    return path == FRONTEND_PREFIX or path.startswith(FRONTEND_PREFIX + "/")


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
