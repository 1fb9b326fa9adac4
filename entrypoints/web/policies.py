"""What applies to a route, declared beside it and applied in one step before its handler.

Each operation names its policies in its own decorator's `opt`: its per-client rate limit
(`rate_limited(RateLimitClass.LOGIN)`), whether it needs an access token (`AUTHENTICATED`) and
whether it takes the browser transport (`BROWSER_TRANSPORT`). One `before_request` hook reads
those keys, in this order: a body that is not JSON is 415 before anything counts or reads it;
the rate limit is counted before the body is decoded and before any token check, so a client
over its limit costs one counter increment; a missing access token is 401 before the origin is
judged. A hook, not guards: Litestar copies the route handler for every guard on every request.

Here too is the browser transport as a whole (decision 0012): with `Session-Transport: cookie`
the refresh token lives in an `HttpOnly` cookie instead of the body; the five operations that
start, advance or end a session take it, and on them a request with the header must come from
an allowed origin. Without the header nothing changes: the refresh token travels in the body and
a cookie is never read.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from urllib.parse import urlsplit

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter
from litestar.types import Scope

from adapters.observability.protocols import Metrics
from domain.errors import AccessTokenRefusal, DomainError, InvalidAccessToken
from domain.model import Principal, TokenPair
from domain.protection.rate_limits import Limit, RateLimiter
from domain.usecases.authenticate import Authenticate
from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.web.observability import ClientAddresses

if TYPE_CHECKING:
    from entrypoints.configuration import Settings

_RATE_LIMIT = "rate_limit"
_BEARER = "bearer_authentication"
_BROWSER_TRANSPORT = "browser_transport"
# Handler option of the operations that need an access token (Bearer authentication).
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


# Bearer authentication of the operations marked `AUTHENTICATED`. The caller is resolved before
# the handler (and before its body is read), after the rate limit, and handed over as
# `request.auth`. Not a Litestar dependency: dependencies that do not depend on each other are
# resolved concurrently in an anyio task group, which cost a fifth of a token check's request
# time.
AuthenticatedRequest = Request[Any, Principal, Any]


async def authenticate_bearer(
    scope: Scope, authenticate: Callable[[], Authenticate], metrics: Callable[[], Metrics]
) -> None:
    """Set `scope["auth"]` to the caller named by `Authorization: Bearer`; 401 otherwise. The
    providers are asked per request."""
    try:
        token = bearer_token(scope)
        if not token:
            raise InvalidAccessToken("missing bearer token", reason=AccessTokenRefusal.MISSING)
        scope["auth"] = await authenticate().execute(token)
    except InvalidAccessToken as refused:
        metrics().token_refusals.labels(refused.reason).inc()
        raise


def bearer_token(scope: Scope) -> str:
    """The credential of an `Authorization: Bearer` header, or "" when there is none."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


# Which web origins may use the browser transport, and which origin a request comes from. An
# origin is compared in its serialised form, `scheme://host[:port]` with the scheme and host in
# lower case and the scheme's default port left out: what a browser sends in `Origin`.
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Browsers treat these two spellings of a developer's machine as two origins (and two sites).
_LOOPBACK_NAMES = ("localhost", "127.0.0.1")


class OriginNotAllowed(Exception):
    """A browser-transport request whose `Origin` (else `Referer`) is missing or not allowed."""


def origin_of(url: str) -> str | None:
    """The serialised origin of an http(s) URL; None for anything else (`null` among them)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return (
        f"{scheme}://{host}"
        if port in (None, _DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def browser_origins(settings: Settings) -> frozenset[str]:
    """`CORS_ALLOW_ORIGINS` and the origin of `SESSION_ISSUER`; an issuer on `localhost` or
    `127.0.0.1` (as in `dev`) brings the other spelling at the same port."""
    allowed = set(_origins((*settings.cors_allow_origins, settings.session_issuer)))
    issuer = urlsplit(settings.session_issuer)
    if issuer.hostname in _LOOPBACK_NAMES:
        port = f":{issuer.port}" if issuer.port is not None else ""
        allowed.update(_origins(f"{issuer.scheme}://{name}{port}" for name in _LOOPBACK_NAMES))
    return frozenset(allowed)


def request_origin(origin: str | None, referer: str | None) -> str | None:
    """Where a request comes from: its `Origin` header if it has one (`null` names no origin),
    else the origin of its `Referer`."""
    if origin is not None:
        return origin_of(origin)
    return origin_of(referer) if referer is not None else None


def _origins(urls: Iterable[str]) -> Iterable[str]:
    return (origin for origin in map(origin_of, urls) if origin is not None)


# The browser transport's header, origin check and cookie.
SESSION_TRANSPORT = "Session-Transport"
# `__Host-`: only this exact host may set it (Secure, Path=/, no Domain), so a sibling subdomain
# cannot plant one; SameSite=Strict: no other site's page makes the browser send it.
REFRESH_COOKIE = "__Host-connect_refresh"
T = TypeVar("T")


class RefreshCookieRefused(Exception):
    """A browser-transport refresh refused with `error` (401): answered as `error` is, and the
    cookie cleared, since the session it names is over."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


class SessionTransport(enum.StrEnum):
    """The one value of `Session-Transport`; without the header, tokens travel in the body."""

    COOKIE = "cookie"


SessionTransportHeader = Annotated[
    SessionTransport | None,
    HeaderParameter(
        name=SESSION_TRANSPORT,
        required=False,
        description=(
            "`cookie` for the browser transport: the refresh token is set in the "
            f"`{REFRESH_COOKIE}` cookie (HttpOnly) and read from it, never in a body. Needs an "
            "allowed `Origin` (else `Referer`), or 403 `origin_not_allowed`. Leave it out in "
            "native apps and servers: the refresh token is then in the JSON body."
        ),
    ),
]


def check_browser_transport(request: Request[Any, Any, Any], origins: Collection[str]) -> None:
    """With `Session-Transport: cookie`, the request must come from one of `origins` (on the
    operations marked `BROWSER_TRANSPORT`)."""
    transport = request.headers.get(SESSION_TRANSPORT)
    if transport is None:
        return
    if transport != SessionTransport.COOKIE:
        raise ValidationException(
            extra=[{"key": SESSION_TRANSPORT, "message": "must be `cookie`, or absent"}]
        )
    origin = request_origin(request.headers.get("origin"), request.headers.get("referer"))
    if origin is None or origin not in origins:
        raise OriginNotAllowed


def body_refresh_token(
    pair: TokenPair, transport: SessionTransport | None
) -> str | msgspec.UnsetType:
    """The refresh token for the answer's body: none in the browser transport."""
    return msgspec.UNSET if transport is SessionTransport.COOKIE else pair.refresh_token


def session_answer(body: T, pair: TokenPair, transport: SessionTransport | None) -> Response[T]:
    """`body`, with the refresh token in the cookie in the browser transport."""
    cookies = [refresh_cookie(pair)] if transport is SessionTransport.COOKIE else []
    return Response(body, cookies=cookies)


def without_refresh_cookie(response: Response[T]) -> Response[T]:
    """`response`, telling the browser to drop the refresh cookie."""
    response.set_cookie(_cookie("", max_age=0))
    return response


def refresh_cookie(pair: TokenPair) -> Cookie:
    """The cookie that carries `pair`'s refresh token for as long as its session can live."""
    return _cookie(pair.refresh_token, max_age=max(pair.session_expires_in, 0))


def _cookie(value: str, *, max_age: int | None, **documentation: Any) -> Cookie:
    return Cookie(
        key=REFRESH_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
        **documentation,
    )


SETS_REFRESH_COOKIE = [
    _cookie(
        "",
        max_age=None,
        documentation_only=True,
        description=(
            "Only with `Session-Transport: cookie`: the refresh token, `HttpOnly`, `Secure`, "
            "`SameSite=Strict`, `Path=/`, no `Domain`, with `Max-Age` the seconds until the "
            "session's absolute end. The body then has no `refreshToken`."
        ),
    )
]
CLEARS_REFRESH_COOKIE = [
    _cookie(
        "",
        max_age=0,
        documentation_only=True,
        description="Only with `Session-Transport: cookie`: the refresh cookie, cleared.",
    )
]
ALWAYS_CLEARS_REFRESH_COOKIE = [
    _cookie(
        "",
        max_age=0,
        documentation_only=True,
        description="The refresh cookie of the browser transport, cleared.",
    )
]
