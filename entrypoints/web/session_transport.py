"""The browser transport: with `Session-Transport: cookie`, the refresh token lives in an
`HttpOnly` cookie instead of the body (decision 0012).

The five operations that start, advance or end a session are marked `opt=BROWSER_TRANSPORT`
(`policies.py`).
On them, the route policies (`policies.py`) refuse any other value of the header (400) and,
with the header, an `Origin` (else `Referer`) outside the allowed origins (403). Without the
header nothing changes: the refresh token travels in the body and a cookie is never read.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter

from domain.errors import DomainError
from domain.model import TokenPair
from entrypoints.web.origins import OriginNotAllowed, request_origin
from entrypoints.web.schemas import RefreshRequest
from entrypoints.web.wire import decode_optional_body

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
    operations marked `BROWSER_TRANSPORT`, `policies.py`)."""
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


async def presented_refresh_token(
    request: Request[Any, Any, Any], transport: SessionTransport | None
) -> str:
    """The refresh token a `refresh` request presents; "" when it presents none.

    In the browser transport it is the cookie, and a body is refused (the token must never
    travel where scripts read it); otherwise it is the body's, and a cookie is never read.
    """
    raw = await request.body()
    if transport is SessionTransport.COOKIE:
        if raw:
            raise ValidationException(
                extra=[{"key": "data", "message": "send no body: the refresh token is the cookie"}]
            )
        return request.cookies.get(REFRESH_COOKIE, "")
    body = decode_optional_body(raw, RefreshRequest)
    return body.refresh_token if body is not None else ""


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
