"""Password registration and login, refresh, logout and the caller's profile."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from domain.errors import InvalidCredentials
from domain.model import TokenPair, User
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.end_session import EndSession
from domain.usecases.password_login import PasswordLogin
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.who_am_i import WhoAmI
from entrypoints.protection.client_addresses import ClientAddresses
from entrypoints.protection.login_throttle import LoginThrottle
from entrypoints.web.auth import AUTHENTICATED, AuthenticatedRequest
from entrypoints.web.openapi_docs import BEARER, errors
from entrypoints.web.schemas import (
    LoginBody,
    LoginResponse,
    LogoutBody,
    LogoutRequest,
    RefreshBody,
    RegisterBody,
    TokenPairResponse,
    UserResponse,
    decode_optional_body,
)

NO_STORE = CacheControlHeader(no_store=True)


def user_response(user: User) -> UserResponse:
    return UserResponse(user_id=user.id, email=user.email, display_name=user.display_name)


def token_pair_response(pair: TokenPair) -> TokenPairResponse:
    return TokenPairResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
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
            400: ("invalid_request", "invalid_email", "invalid_password", "invalid_display_name"),
            403: ("registration_closed",),
            409: ("email_taken",),
        },
    ),
    tags=["sessions"],
)
async def register(data: RegisterBody, register: NamedDependency[Register]) -> UserResponse:
    """Creates a user who logs in with a password, the first factor before a passkey is appended.

    Open only where the deployment sets `ALLOW_REGISTRATION` (always in `connect-backend dev`);
    elsewhere 403 `registration_closed`. Emails are trimmed and unique in any case or Unicode
    spelling (canonical caseless matching; `xn--` domains are their Unicode form): 409
    `email_taken` when one exists. Returns no tokens; call `login` next.
    """
    user = await register.execute(data.email, data.password, data.display_name)
    return user_response(user)


@post(
    "/login",
    operation_id="login",
    summary="Log in with email and password",
    status_code=200,
    response_description="A new session (an access and a refresh token), and a device token.",
    responses=errors(400, 401, 413, 429, codes={401: ("invalid_credentials",)}),
    cache_control=NO_STORE,
    tags=["sessions"],
)
async def login(
    data: LoginBody,
    request: Request[Any, Any, Any],
    password_login: NamedDependency[PasswordLogin],
    login_throttle: NamedDependency[LoginThrottle],
    client_addresses: NamedDependency[ClientAddresses],
    user_agent: NamedDependency[str | None],
) -> LoginResponse:
    """Starts a session from a password; the access token's `amr` claim is `["pwd"]`.

    An unknown email and a wrong password both answer 401 `invalid_credentials`, in the same time.
    Failed attempts are limited per account and client, and per account from all clients
    together; send the `deviceToken` of this client's last login to the account so that
    strangers' failures never refuse it (429 with `Retry-After` otherwise). Offer the user a
    passkey next: `createConnectToken` with `passkey-append`.
    """
    client = client_addresses.subject(request.scope)
    admission = await login_throttle.admit(data.email, client, data.device_token)
    try:
        pair = await password_login.execute(data.email, data.password, user_agent)
    except InvalidCredentials:
        raise
    except Exception:
        await login_throttle.refund(admission)
        raise
    device_token = await login_throttle.succeeded(admission)
    return LoginResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        device_token=device_token,
    )


@post(
    "/refresh",
    operation_id="refresh",
    summary="Trade a refresh token for a new token pair",
    status_code=200,
    response_description="A new pair of the same session; the refresh token sent is now used up.",
    responses=errors(
        400,
        401,
        413,
        429,
        codes={401: ("invalid_refresh_token", "refresh_token_reused")},
    ),
    cache_control=NO_STORE,
    tags=["sessions"],
)
async def refresh(
    data: RefreshBody, refresh_session: NamedDependency[RefreshSession]
) -> TokenPairResponse:
    """Rotates: every refresh token works once; keep the new one from the answer.

    A used refresh token presented again within `REFRESH_REUSE_GRACE_S` (a lost answer, two tabs)
    gets a fresh pair of the same session; after that it answers 401 `refresh_token_reused` and
    the whole session ends (theft detection). Any 401 here means: log the user in again.
    """
    return token_pair_response(await refresh_session.execute(data.refresh_token))


@post(
    "/logout",
    operation_id="logout",
    summary="End the current session",
    status_code=204,
    response_description="The session (or, with `allSessions`, every session) has ended.",
    responses=errors(400, 401, 413),
    security=BEARER,
    opt=AUTHENTICATED,
    tags=["sessions"],
)
async def logout(
    request: AuthenticatedRequest,
    end_session: NamedDependency[EndSession],
    end_all_sessions: NamedDependency[EndAllSessions],
    data: LogoutBody = None,
) -> None:
    """Ends the session of the access token: its refresh and access tokens stop working at once.

    The body is optional; `{"allSessions": true}` ends every session of the user. Then forget
    both tokens; the user logs in again.
    """
    data = decode_optional_body(await request.body(), LogoutRequest)
    if data is not None and data.all_sessions:
        await end_all_sessions.execute(request.auth.user_id)
    else:
        await end_session.execute(
            request.auth.session_id, user_id=request.auth.user_id, reason="logout"
        )


@get(
    "/me",
    operation_id="me",
    summary="The logged-in user",
    response_description="The profile of the user the access token names.",
    responses=errors(401),
    security=BEARER,
    opt=AUTHENTICATED,
    tags=["sessions"],
)
async def me(request: AuthenticatedRequest, who_am_i: NamedDependency[WhoAmI]) -> UserResponse:
    """Who the access token belongs to; 401 `invalid_token` once its session has ended."""
    return user_response(await who_am_i.execute(request.auth.user_id))
