"""The two Corbado Connect endpoints."""

from __future__ import annotations

from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from domain.model import Principal
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.issue_connect_token import IssueConnectToken
from entrypoints.web.auth import AUTHENTICATED
from entrypoints.web.errors import PASSKEY_ERRORS_OPT
from entrypoints.web.openapi_docs import BEARER, errors
from entrypoints.web.routes.sessions import NO_STORE
from entrypoints.web.schemas import (
    CompleteLoginRequest,
    CompleteLoginResponse,
    ConnectTokenResponse,
    CreateConnectTokenRequest,
)


@post(
    "/createConnectToken",
    operation_id="createConnectToken",
    summary="Get a Corbado connect token for one passkey operation",
    status_code=200,
    responses=errors(400, 401, 413, 502, 503, 504),
    security=BEARER,
    dependencies=AUTHENTICATED,
    cache_control=NO_STORE,
    tags=["passkeys"],
)
async def create_connect_token(
    data: JSONBody[CreateConnectTokenRequest],
    principal: NamedDependency[Principal],
    issue_connect_token: NamedDependency[IssueConnectToken],
) -> ConnectTokenResponse:
    """Hand the secret to the Corbado Connect component that asked for it; use it once."""
    secret = await issue_connect_token.execute(principal.user_id, data.connect_token_type)
    return ConnectTokenResponse(connect_token=secret)


@post(
    "/completeLogin",
    operation_id="completeLogin",
    summary="Start a session from a Corbado Connect passkey login",
    status_code=200,
    responses=errors(400, 401, 413, 502, 503, 504, passkey=True),
    cache_control=NO_STORE,
    opt={PASSKEY_ERRORS_OPT: True},
    tags=["passkeys"],
)
async def complete_login(
    data: JSONBody[CompleteLoginRequest], complete_login: NamedDependency[CompleteLogin]
) -> CompleteLoginResponse:
    """Corbado verifies `signedPasskeyData`; its `webauthnId` names our user."""
    pair = await complete_login.execute(data.signed_passkey_data)
    return CompleteLoginResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )
