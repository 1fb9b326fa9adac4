"""The two Corbado Connect endpoints."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency

from domain.usecases.complete_login import CompleteLogin
from domain.usecases.issue_connect_token import IssueConnectToken
from entrypoints.web.auth import AuthenticatedRequest
from entrypoints.web.errors import PASSKEY_ERRORS_OPT
from entrypoints.web.openapi_docs import BEARER, ORIGIN_REFUSED, errors
from entrypoints.web.policies import AUTHENTICATED, BROWSER_TRANSPORT, RateLimitClass, rate_limited
from entrypoints.web.routes.sessions import NO_STORE
from entrypoints.web.schemas import (
    CompleteLoginBody,
    CompleteLoginResponse,
    ConnectTokenResponse,
    CreateConnectTokenBody,
)
from entrypoints.web.session_transport import (
    SETS_REFRESH_COOKIE,
    SessionTransportHeader,
    body_refresh_token,
    session_answer,
)
from entrypoints.web.wire import user_agent


@post(
    "/createConnectToken",
    operation_id="createConnectToken",
    summary="Get a Corbado connect token for one passkey operation",
    status_code=200,
    response_description="A single-use connect token for the component that asked.",
    responses=errors(
        400,
        401,
        413,
        429,
        502,
        503,
        504,
        codes={401: ("invalid_token", "reauthentication_required", "account_closed")},
    ),
    security=BEARER,
    opt={**AUTHENTICATED, **rate_limited(RateLimitClass.CREATE_CONNECT_TOKEN)},
    cache_control=NO_STORE,
    tags=["passkeys"],
)
async def create_connect_token(
    data: CreateConnectTokenBody,
    request: AuthenticatedRequest,
    issue_connect_token: NamedDependency[IssueConnectToken],
) -> ConnectTokenResponse:
    """Asks Corbado for a connect token for the logged-in user and the operation named.

    Call it from a Corbado Connect component's `connectTokenProvider`: `passkey-append` for the
    append component (right after a password login), `passkey-list` and `passkey-delete` for the
    passkey list. Every token works once; ask again for each operation. `passkey-append` and
    `passkey-delete` need a recent login: otherwise 401 `reauthentication_required`, so send the
    user through login again. 502, 503 and 504 mean Corbado failed, is unavailable or too slow.
    """
    secret = await issue_connect_token.execute(request.auth, data.connect_token_type)
    return ConnectTokenResponse(connect_token=secret)


@post(
    "/completeLogin",
    operation_id="completeLogin",
    summary="Start a session from a Corbado Connect passkey login",
    status_code=200,
    response_description="A new session: an access token and a refresh token.",
    responses=errors(
        400,
        401,
        403,
        413,
        429,
        502,
        503,
        504,
        passkey=True,
        codes={401: ("passkey_login_failed",), 403: ORIGIN_REFUSED},
    ),
    response_cookies=SETS_REFRESH_COOKIE,
    cache_control=NO_STORE,
    opt={
        PASSKEY_ERRORS_OPT: True,
        **BROWSER_TRANSPORT,
        **rate_limited(RateLimitClass.COMPLETE_LOGIN),
    },
    tags=["passkeys"],
)
async def complete_login(
    data: CompleteLoginBody,
    request: Request[Any, Any, Any],
    complete_login: NamedDependency[CompleteLogin],
    session_transport: SessionTransportHeader = None,
) -> Response[CompleteLoginResponse]:
    """Send the `signedPasskeyData` the Corbado Connect login component handed you on success.

    Corbado verifies it (single use) and names the user; the access token's `amr` claim is
    `["hwk", "user"]`. Every answer carries `success`; any failed verification is 401
    `passkey_login_failed` (show the login page again). Not retried on 5xx: the data is single-use,
    so the user starts a new passkey login.
    """
    pair = await complete_login.execute(data.signed_passkey_data, user_agent(request))
    body = CompleteLoginResponse(
        access_token=pair.access_token,
        refresh_token=body_refresh_token(pair, session_transport),
        expires_in=pair.expires_in,
    )
    return session_answer(body, pair, session_transport)
