"""Password registration and login, refresh, logout and the caller's profile."""

from __future__ import annotations

from litestar import get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody

from domain.model import Principal, TokenPair, User
from domain.usecases.end_session import EndSession
from domain.usecases.password_login import PasswordLogin
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.who_am_i import WhoAmI
from entrypoints.web.auth import AUTHENTICATED
from entrypoints.web.openapi_docs import BEARER, errors
from entrypoints.web.schemas import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPairResponse,
    UserResponse,
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
    responses=errors(400, 403, 409, 413),
    tags=["sessions"],
)
async def register(
    data: JSONBody[RegisterRequest], register: NamedDependency[Register]
) -> UserResponse:
    """Open only where `ALLOW_REGISTRATION` is true. Emails are unique case-insensitively."""
    user = await register.execute(data.email, data.password, data.display_name)
    return user_response(user)


@post(
    "/login",
    operation_id="login",
    summary="Log in with email and password",
    status_code=200,
    responses=errors(400, 401, 413),
    cache_control=NO_STORE,
    tags=["sessions"],
)
async def login(
    data: JSONBody[LoginRequest], password_login: NamedDependency[PasswordLogin]
) -> TokenPairResponse:
    """Starts a session; the access token's `amr` is `["pwd"]`."""
    return token_pair_response(await password_login.execute(data.email, data.password))


@post(
    "/refresh",
    operation_id="refresh",
    summary="Trade a refresh token for a new token pair",
    status_code=200,
    responses=errors(400, 401, 413),
    cache_control=NO_STORE,
    tags=["sessions"],
)
async def refresh(
    data: JSONBody[RefreshRequest], refresh_session: NamedDependency[RefreshSession]
) -> TokenPairResponse:
    """Rotates the refresh token. Replaying an old one after the grace window ends the session."""
    return token_pair_response(await refresh_session.execute(data.refresh_token))


@post(
    "/logout",
    operation_id="logout",
    summary="End the current session",
    status_code=204,
    responses=errors(401),
    security=BEARER,
    dependencies=AUTHENTICATED,
    tags=["sessions"],
)
async def logout(
    principal: NamedDependency[Principal], end_session: NamedDependency[EndSession]
) -> None:
    """Its refresh tokens and access tokens stop working at once."""
    await end_session.execute(principal.session_id)


@get(
    "/me",
    operation_id="me",
    summary="The logged-in user",
    responses=errors(401),
    security=BEARER,
    dependencies=AUTHENTICATED,
    tags=["sessions"],
)
async def me(
    principal: NamedDependency[Principal], who_am_i: NamedDependency[WhoAmI]
) -> UserResponse:
    """The profile of the user the access token names."""
    return user_response(await who_am_i.execute(principal.user_id))
