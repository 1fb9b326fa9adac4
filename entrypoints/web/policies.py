"""What applies to a route, declared beside it and applied in one step before its handler.

Each operation names its policies in its own decorator's `opt`: its per-client rate limit
(`rate_limited(RateLimitClass.LOGIN)`), whether it needs an access token (`AUTHENTICATED`:
`auth.py`) and whether it takes the browser transport (`BROWSER_TRANSPORT`:
`session_transport.py`). One
`before_request` hook reads those keys, in this order: a body that is not JSON is 415 before
anything counts or reads it; the rate limit is counted before the body is decoded and before
any token check, so a client over its limit costs one counter increment; a missing access token
is 401 before the origin is judged. A hook, not guards: Litestar copies the route handler for
every guard on every request.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from typing import Any

from litestar import Request

from adapters.observability.protocols import Metrics
from domain.protection.rate_limits import Limit, RateLimiter
from domain.usecases.authenticate import Authenticate
from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.web.auth import authenticate_bearer
from entrypoints.web.observability import ClientAddresses
from entrypoints.web.session_transport import check_browser_transport

_RATE_LIMIT = "rate_limit"
_BEARER = "bearer_authentication"
_BROWSER_TRANSPORT = "browser_transport"
# Handler option of the operations that need an access token.
AUTHENTICATED = {_BEARER: True}
# Handler option of the operations that take the browser transport (decision 0012).
BROWSER_TRANSPORT = {_BROWSER_TRANSPORT: True}


class RateLimitClass(enum.StrEnum):
    """A route's per-client limit; the value names it in metrics and counter keys."""

    LOGIN = "login"
    REGISTER = "register"
    REFRESH = "refresh"
    COMPLETE_LOGIN = "complete-login"
    CREATE_CONNECT_TOKEN = "create-connect-token"
    EMAIL_VERIFICATION = "email-verification"
    EMAIL_VERIFY = "email-verify"
    RECOVERY = "recovery"
    RECOVERY_COMPLETE = "recovery-complete"


def rate_limited(kind: RateLimitClass) -> dict[str, Any]:
    """Handler option: requests to this operation count against `kind`'s limit per client."""
    return {_RATE_LIMIT: kind}


def class_limits(settings: RateLimitSettings) -> dict[RateLimitClass, Limit]:
    """Each class's limit per client address, from the settings."""
    per_window = {
        RateLimitClass.LOGIN: settings.login_per_ip,
        RateLimitClass.REGISTER: settings.register_per_ip,
        RateLimitClass.REFRESH: settings.refresh_per_ip,
        RateLimitClass.COMPLETE_LOGIN: settings.passkey_per_ip,
        RateLimitClass.CREATE_CONNECT_TOKEN: settings.passkey_per_ip,
        RateLimitClass.EMAIL_VERIFICATION: settings.email_per_ip,
        RateLimitClass.EMAIL_VERIFY: settings.email_per_ip,
        RateLimitClass.RECOVERY: settings.email_per_ip,
        RateLimitClass.RECOVERY_COMPLETE: settings.email_per_ip,
    }
    return {kind: Limit(kind.value, limit) for kind, limit in per_window.items()}


def route_policies(
    *,
    limiter: Callable[[], RateLimiter],
    addresses: ClientAddresses,
    limits: Mapping[RateLimitClass, Limit],
    authenticate: Callable[[], Authenticate],
    metrics: Callable[[], Metrics],
    origins: Collection[str],
) -> Callable[[Request[Any, Any, Any]], Any]:
    """The `before_request` hook; the providers are asked per request, so overrides apply."""

    async def apply(request: Request[Any, Any, Any]) -> None:
        await json_bodies_only(request)
        opt = request.scope["route_handler"].opt
        kind = opt.get(_RATE_LIMIT)
        if kind is not None:
            await limiter().hit(limits[kind], addresses.subject(request.scope))
        if opt.get(_BEARER):
            await authenticate_bearer(request.scope, authenticate, metrics)
        if opt.get(_BROWSER_TRANSPORT):
            check_browser_transport(request, origins)

    return apply


# Request bodies are JSON: a page on any site can make its visitors' browsers send `text/plain`,
# form and multipart bodies without a CORS preflight, and Litestar decodes a handler's body as
# JSON whatever its `Content-Type` says, so such a body would log in, register or refresh.
JSON = "application/json"


class UnsupportedMediaType(Exception):
    """A request carries a body whose `Content-Type` is not `application/json`, or none."""


def is_json(content_type: str | None) -> bool:
    """Whether a `Content-Type` value is `application/json`, in any case, parameters allowed."""
    return content_type is not None and content_type.partition(";")[0].strip().lower() == JSON


async def json_bodies_only(connection: Request[Any, Any, Any]) -> None:
    """415 for a body that is not declared JSON; a request without a body passes.

    A mounted ASGI app (the emulator) has no route policies, and judges its bodies itself.
    """
    # The raw head, not `connection.headers`: building those costs ~12 us, on every request.
    content_type: bytes | None = None
    length: bytes | None = None
    chunked = False
    for name, value in connection.scope["headers"]:
        if name == b"content-type":
            content_type = value
        elif name == b"content-length":
            length = value
        elif name == b"transfer-encoding":
            chunked = True
    if content_type is not None and is_json(content_type.decode("latin-1")):
        return
    if await carries_body(connection, length, chunked=chunked):
        raise UnsupportedMediaType


async def carries_body(
    request: Request[Any, Any, Any], length: bytes | None, *, chunked: bool
) -> bool:
    """Whether `request` has a body, from its `Content-Length` (`length`) and whether it has a
    `Transfer-Encoding`; read only when those cannot tell (a chunked body, HTTP/2), within the
    body size limit."""
    if length is not None:
        return not length.strip().isdigit() or int(length) > 0
    # RFC 9112 6.3: an HTTP/1 request without Content-Length or Transfer-Encoding has no body.
    if request.scope["http_version"] in ("1.0", "1.1") and not chunked:
        return False
    return bool(await request.body())
