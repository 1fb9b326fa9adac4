"""Tag sessions: password registration and login, refresh, logout and the caller's profile,
with their request and answer structs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException

from domain.errors import InvalidRefreshToken, RefreshTokenReused
from domain.model import User
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.end_session import EndSession
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.throttled_login import ThrottledLogin
from domain.usecases.who_am_i import WhoAmI
from entrypoints.web.observability import resolved_client
from entrypoints.web.openapi import BEARER, ORIGIN_REFUSED, errors, json_body
from entrypoints.web.policies import (
    AUTHENTICATED,
    BROWSER_TRANSPORT,
    CLEARS_REFRESH_COOKIE,
    REFRESH_COOKIE,
    SETS_REFRESH_COOKIE,
    AuthenticatedRequest,
    RateLimitClass,
    RefreshCookieRefused,
    SessionTransport,
    SessionTransportHeader,
    body_refresh_token,
    rate_limited,
    session_answer,
    without_refresh_cookie,
)
from entrypoints.web.wire import (
    NO_STORE,
    AccessToken,
    BodyRefreshToken,
    ContainerController,
    DeviceToken,
    DisplayName,
    Email,
    ExpiresIn,
    LoginEmail,
    NewPassword,
    OpaqueToken,
    Password,
    UserId,
    Wire,
    decode_optional_body,
    user_agent,
)


class RegisterRequest(Wire):
    """A new account with a password."""

    email: Email
    password: NewPassword
    display_name: DisplayName


class LoginRequest(Wire):
    """Email and password, and the `deviceToken` of this client's last login to the account."""

    email: LoginEmail
    password: Password
    device_token: DeviceToken | None = None


class RefreshRequest(Wire):
    """The refresh token to trade; none with `Session-Transport: cookie` (the cookie is it)."""

    refresh_token: OpaqueToken


class LogoutRequest(Wire):
    """Optional: without a body, or with `allSessions` false, only the current session ends."""

    all_sessions: Annotated[
        bool, msgspec.Meta(description="End every session of the user, on every device.")
    ] = False


RegisterBody = Annotated[
    RegisterRequest,
    json_body(
        RegisterRequest,
        {
            "email": "jane@example.com",
            "password": "correct horse battery",
            "displayName": "Jane Doe",
        },
    ),
]
LoginBody = Annotated[
    LoginRequest,
    json_body(LoginRequest, {"email": "jane@example.com", "password": "correct horse battery"}),
]
# Optional, like `LogoutBody`: the browser transport sends none (the cookie is the token).
RefreshBody = Annotated[
    RefreshRequest | None,
    json_body(
        RefreshRequest,
        {"refreshToken": "x6Jq0Vb3nT2c1c8l3U5jHg.42.q3m6Kk0nQvT2c1c8l3U5jHn3oW2yZ9bXr4sPq0aLd1E"},
    ),
]
# Optional: Litestar documents `X | None` as a required `oneOf` with null;
# `framework_repairs.repair_document` states an optional object instead, which
# `decode_optional_body` makes true.
LogoutBody = Annotated[
    LogoutRequest | None, json_body(LogoutRequest, {"allSessions": True}, {"allSessions": False})
]


class UserResponse(Wire):
    user_id: UserId
    email: Annotated[
        str,
        msgspec.Meta(
            description="The stored key: trimmed, case-folded, in NFC, `xn--` labels decoded."
        ),
    ]
    display_name: str
    email_verified: Annotated[
        bool,
        msgspec.Meta(
            description="Whether a mailed link proved the address (`requestEmailVerification`)."
        ),
    ] = False


class TokenPairResponse(Wire, kw_only=True):
    access_token: AccessToken
    refresh_token: BodyRefreshToken = msgspec.UNSET
    expires_in: ExpiresIn
    token_type: Literal["Bearer"] = "Bearer"


class LoginResponse(Wire, kw_only=True):
    access_token: AccessToken
    refresh_token: BodyRefreshToken = msgspec.UNSET
    expires_in: ExpiresIn
    device_token: DeviceToken
    token_type: Literal["Bearer"] = "Bearer"


def user_response(user: User) -> UserResponse:
    return UserResponse(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        email_verified=user.email_verified,
    )


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


class SessionsController(ContainerController):
    """Accounts with a password, and the sessions they start."""

    tags = ("sessions",)
    uses = (
        "register",
        "throttled_login",
        "refresh_session",
        "end_session",
        "end_all_sessions",
        "who_am_i",
    )

    @post(
        "/register",
        operation_id="register",
        summary="Create an account with email and password",
        status_code=201,
        response_description="The account was created; log in to get tokens.",
        responses=errors(
            400,
            403,
            409,
            413,
            429,
            codes={
                400: (
                    "invalid_request",
                    "invalid_email",
                    "invalid_password",
                    "invalid_display_name",
                ),
                403: ("registration_closed", *ORIGIN_REFUSED),
                409: ("email_taken",),
            },
        ),
        opt={**BROWSER_TRANSPORT, **rate_limited(RateLimitClass.REGISTER)},
    )
    async def register(
        self,
        data: RegisterBody,
        register: NamedDependency[Register],
        session_transport: SessionTransportHeader = None,
    ) -> UserResponse:
        """Creates a user who logs in with a password, the first factor before a passkey is appended.

        Open only where the deployment sets `ALLOW_REGISTRATION` (always in `connect-backend dev`);
        elsewhere 403 `registration_closed`. Emails are trimmed and unique in any case or Unicode
        spelling (canonical caseless matching; `xn--` domains are their Unicode form): 409
        `email_taken` when one exists. Returns no tokens; call `login` next. `Session-Transport:
        cookie` changes nothing here but the origin check.
        """  # noqa: E501
        user = await register.execute(data.email, data.password, data.display_name)
        return user_response(user)

    @post(
        "/login",
        operation_id="login",
        summary="Log in with email and password",
        status_code=200,
        response_description="A new session (an access and a refresh token), and a device token.",
        responses=errors(
            400, 401, 403, 413, 429, codes={401: ("invalid_credentials",), 403: ORIGIN_REFUSED}
        ),
        response_cookies=SETS_REFRESH_COOKIE,
        cache_control=NO_STORE,
        opt={**BROWSER_TRANSPORT, **rate_limited(RateLimitClass.LOGIN)},
    )
    async def login(
        self,
        data: LoginBody,
        request: Request[Any, Any, Any],
        throttled_login: NamedDependency[ThrottledLogin],
        session_transport: SessionTransportHeader = None,
    ) -> Response[LoginResponse]:
        """Starts a session from a password; the access token's `amr` claim is `["pwd"]`.

        An unknown email and a wrong password both answer 401 `invalid_credentials`, in the same time.
        Failed attempts are limited per account and client, and per account from all clients
        together; send the `deviceToken` of this client's last login to the account so that
        strangers' failures never refuse it (429 with `Retry-After` otherwise). Offer the user a
        passkey next: `createConnectToken` with `passkey-append`.
        """  # noqa: E501
        result = await throttled_login.execute(
            data.email,
            data.password,
            client=resolved_client(request.scope).subject,
            device_token=data.device_token,
            user_agent=user_agent(request),
        )
        body = LoginResponse(
            access_token=result.pair.access_token,
            refresh_token=body_refresh_token(result.pair, session_transport),
            expires_in=result.pair.expires_in,
            device_token=result.device_token,
        )
        return session_answer(body, result.pair, session_transport)

    @post(
        "/refresh",
        operation_id="refresh",
        summary="Trade a refresh token for a new token pair",
        status_code=200,
        response_description=(
            "A new pair of the same session; the refresh token sent is now used up."
        ),
        responses=errors(
            400,
            401,
            413,
            429,
            403,
            codes={401: ("invalid_refresh_token", "refresh_token_reused"), 403: ORIGIN_REFUSED},
        ),
        response_cookies=SETS_REFRESH_COOKIE,
        cache_control=NO_STORE,
        opt={**BROWSER_TRANSPORT, **rate_limited(RateLimitClass.REFRESH)},
    )
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        refresh_session: NamedDependency[RefreshSession],
        session_transport: SessionTransportHeader = None,
        data: RefreshBody = None,
    ) -> Response[TokenPairResponse]:
        """Rotates: every refresh token works once; keep the new one from the answer.

        The token just replaced, presented again within `REFRESH_REUSE_GRACE_S` while its successor
        is unused (a lost answer, two tabs), gets that same successor; any other reuse answers 401
        `refresh_token_reused` and the whole session ends (theft detection). Any 401 here means: log
        the user in again. With `Session-Transport: cookie`, send no body: the token is the cookie,
        its successor is set in it, and a 401 clears it.
        """
        token = await presented_refresh_token(request, session_transport)
        try:
            pair = await refresh_session.execute(token)
        except (InvalidRefreshToken, RefreshTokenReused) as refused:
            if session_transport is None:
                raise
            raise RefreshCookieRefused(refused) from refused
        body = TokenPairResponse(
            access_token=pair.access_token,
            refresh_token=body_refresh_token(pair, session_transport),
            expires_in=pair.expires_in,
        )
        return session_answer(body, pair, session_transport)

    @post(
        "/logout",
        operation_id="logout",
        summary="End the current session",
        status_code=204,
        response_description="The session (or, with `allSessions`, every session) has ended.",
        responses=errors(400, 401, 403, 413, codes={403: ORIGIN_REFUSED}),
        response_cookies=CLEARS_REFRESH_COOKIE,
        security=BEARER,
        opt={**AUTHENTICATED, **BROWSER_TRANSPORT},
    )
    async def logout(
        self,
        request: AuthenticatedRequest,
        end_session: NamedDependency[EndSession],
        end_all_sessions: NamedDependency[EndAllSessions],
        session_transport: SessionTransportHeader = None,
        data: LogoutBody = None,
    ) -> Response[None]:
        """Ends the session of the access token: its refresh and access tokens stop working at once.

        The body is optional; `{"allSessions": true}` ends every session of the user. Then forget
        both tokens; the user logs in again. With `Session-Transport: cookie` the refresh cookie is
        cleared too (the session ended is still the access token's).
        """
        data = decode_optional_body(await request.body(), LogoutRequest)
        if data is not None and data.all_sessions:
            await end_all_sessions.execute(request.auth.user_id)
        else:
            await end_session.execute(
                request.auth.session_id, user_id=request.auth.user_id, reason="logout"
            )
        ended = Response(None, status_code=204)
        return ended if session_transport is None else without_refresh_cookie(ended)

    @get(
        "/me",
        operation_id="me",
        summary="The logged-in user",
        response_description="The profile of the user the access token names.",
        responses=errors(401),
        security=BEARER,
        opt=AUTHENTICATED,
    )
    async def me(
        self, request: AuthenticatedRequest, who_am_i: NamedDependency[WhoAmI]
    ) -> UserResponse:
        """Who the access token belongs to; 401 `invalid_token` once its session has ended."""
        return user_response(await who_am_i.execute(request.auth.user_id))
