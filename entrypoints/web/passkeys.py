"""Tag passkeys: the two Corbado Connect endpoints, with their request and answer structs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency

from domain.model import ConnectTokenType
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.issue_connect_token import IssueConnectToken
from entrypoints.web.errors import PASSKEY_ERRORS_OPT
from entrypoints.web.openapi import BEARER, ORIGIN_REFUSED, errors, json_body
from entrypoints.web.policies import (
    AUTHENTICATED,
    BROWSER_TRANSPORT,
    SETS_REFRESH_COOKIE,
    AuthenticatedRequest,
    RateLimitClass,
    SessionTransportHeader,
    body_refresh_token,
    rate_limited,
    session_answer,
)
from entrypoints.web.wire import (
    NO_STORE,
    AccessToken,
    BodyRefreshToken,
    ContainerController,
    ExpiresIn,
    SignedPasskeyData,
    Wire,
    user_agent,
)


class CreateConnectTokenRequest(Wire):
    """Which passkey operation the connect token is for."""

    connect_token_type: Annotated[
        ConnectTokenType,
        msgspec.Meta(
            description=(
                "`passkey-append` for the append component, `passkey-list` and `passkey-delete` "
                "for the passkey list, `passkey-login` for Corbado's login helpers."
            )
        ),
    ]


class CompleteLoginRequest(Wire):
    """What the Corbado Connect login component handed to the frontend."""

    signed_passkey_data: SignedPasskeyData


CreateConnectTokenBody = Annotated[
    CreateConnectTokenRequest,
    json_body(
        CreateConnectTokenRequest,
        {"connectTokenType": "passkey-append"},
        {"connectTokenType": "passkey-list"},
        {"connectTokenType": "passkey-delete"},
    ),
]
CompleteLoginBody = Annotated[
    CompleteLoginRequest,
    json_body(
        CompleteLoginRequest,
        {
            "signedPasskeyData": (
                "eyJhbGciOiJSUzI1NiIsImtpZCI6InBray0xIn0.eyJ3ZWJhdXRobklkIjoiLi4uIn0.c2ln"
            )
        },
    ),
]


class CompleteLoginResponse(Wire, kw_only=True):
    access_token: AccessToken
    refresh_token: BodyRefreshToken = msgspec.UNSET
    expires_in: ExpiresIn
    token_type: Literal["Bearer"] = "Bearer"
    success: Literal[True] = True


class ConnectTokenResponse(Wire):
    connect_token: Annotated[
        str,
        msgspec.Meta(
            description=(
                "Hand it to the Corbado Connect component that asked (its connectTokenProvider); "
                "it works once and expires soon. Never log or store it."
            )
        ),
    ]


class PasskeysController(ContainerController):
    """Connect tokens for the Corbado Connect components, and their passkey login."""

    tags = ("passkeys",)
    uses = ("issue_connect_token", "complete_login")

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
    )
    async def create_connect_token(
        self,
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
    )
    async def complete_login(
        self,
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
        """  # noqa: E501
        pair = await complete_login.execute(data.signed_passkey_data, user_agent(request))
        body = CompleteLoginResponse(
            access_token=pair.access_token,
            refresh_token=body_refresh_token(pair, session_transport),
            expires_in=pair.expires_in,
        )
        return session_answer(body, pair, session_transport)
