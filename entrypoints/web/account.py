"""Tag account: the caller's sessions, deleted passkeys, account deletion, and the revocation
feed for the app's own APIs, with their request and answer structs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from domain.model import Principal, Session
from domain.usecases.delete_own_account import DeleteOwnAccount
from domain.usecases.end_own_session import EndOwnSession
from domain.usecases.forget_passkey import ForgetPasskey
from domain.usecases.list_sessions import ListSessions
from domain.usecases.read_revocations import MAX_PAGE, ReadRevocations
from entrypoints.web.openapi import BEARER, FEED_SECRET, errors, json_body
from entrypoints.web.policies import (
    ALWAYS_CLEARS_REFRESH_COOKIE,
    AUTHENTICATED,
    AuthenticatedRequest,
    bearer_token,
    without_refresh_cookie,
)
from entrypoints.web.wire import ContainerController, Wire


class SessionResponse(Wire):
    session_id: str
    created_at: int
    last_used_at: int
    method: Literal["password", "passkey"]
    current: bool
    user_agent: str | None = None


class SessionListResponse(Wire):
    sessions: list[SessionResponse]


class PasskeyDeletedRequest(Wire):
    """The passkey the Corbado passkey-delete flow removed."""

    credential_id: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=256,
            examples=["cre-13566630052040460774"],
            description="The Corbado credential id the passkey-delete flow removed.",
        ),
    ]


PasskeyDeletedBody = Annotated[
    PasskeyDeletedRequest,
    json_body(PasskeyDeletedRequest, {"credentialId": "cre-13566630052040460774"}),
]


class EndedSessionsResponse(Wire):
    ended_sessions: int


class RevokedSessionResponse(Wire):
    session_id: str
    revoked_at: int
    deny_until: int


class RevocationFeedResponse(Wire):
    revocations: list[RevokedSessionResponse]
    next_cursor: int


def session_response(session: Session, principal: Principal) -> SessionResponse:
    return SessionResponse(
        session_id=session.id,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        method="password" if session.method == "password" else "passkey",
        current=session.id == principal.session_id,
        user_agent=session.user_agent,
    )


class AccountController(ContainerController):
    """What the logged-in caller does with their account, and the feed of revoked sessions."""

    tags = ("account",)
    uses = (
        "list_sessions",
        "end_own_session",
        "forget_passkey",
        "delete_own_account",
        "read_revocations",
    )

    @get(
        "/sessions",
        operation_id="listSessions",
        summary="The caller's active sessions",
        response_description="The sessions that have not ended, most recently used first.",
        responses=errors(401),
        security=BEARER,
        opt=AUTHENTICATED,
    )
    async def list_sessions(
        self, request: AuthenticatedRequest, list_sessions: NamedDependency[ListSessions]
    ) -> SessionListResponse:
        """Most recently used first; `current` marks the session of the presented token."""
        sessions = await list_sessions.execute(request.auth.user_id)
        return SessionListResponse(sessions=[session_response(s, request.auth) for s in sessions])

    @delete(
        "/sessions/{sessionId:str}",
        operation_id="endSession",
        summary="End one of the caller's sessions",
        response_description="The session has ended.",
        responses=errors(400, 401, 404, codes={404: ("session_not_found",)}),
        security=BEARER,
        opt=AUTHENTICATED,
    )
    async def end_session(
        self,
        sessionId: Annotated[str, PathParameter(min_length=1, max_length=64)],  # noqa: N803 - the path names it
        request: AuthenticatedRequest,
        end_own_session: NamedDependency[EndOwnSession],
    ) -> None:
        """Another user's session id answers 404, exactly like an unknown one."""
        await end_own_session.execute(request.auth.user_id, sessionId)

    @post(
        "/passkeys/deleted",
        operation_id="passkeyDeleted",
        summary="Report a deleted passkey: the sessions it opened end",
        status_code=200,
        response_description="How many sessions that passkey had opened, now ended.",
        responses=errors(400, 401, 413),
        security=BEARER,
        opt=AUTHENTICATED,
    )
    async def passkey_deleted(
        self,
        data: PasskeyDeletedBody,
        request: AuthenticatedRequest,
        forget_passkey: NamedDependency[ForgetPasskey],
    ) -> EndedSessionsResponse:
        """Call it after the Corbado `passkey-delete` flow succeeded, with the credential id."""
        ended = await forget_passkey.execute(request.auth.user_id, data.credential_id)
        return EndedSessionsResponse(ended_sessions=len(ended))

    @delete(
        "/me",
        operation_id="deleteAccount",
        summary="Delete the caller's account, here and at Corbado",
        response_description="The account, every session of it and its passkeys are gone.",
        responses=errors(
            401,
            502,
            503,
            504,
            codes={
                401: ("invalid_token", "reauthentication_required", "account_closed"),
                503: ("upstream_unavailable", "service_unavailable"),
            },
        ),
        response_cookies=ALWAYS_CLEARS_REFRESH_COOKIE,
        security=BEARER,
        opt=AUTHENTICATED,
    )
    async def delete_account(
        self, request: AuthenticatedRequest, delete_own_account: NamedDependency[DeleteOwnAccount]
    ) -> Response[None]:
        """Needs a login within SENSITIVE_ACTION_MAX_AGE_S, else 401 `reauthentication_required`.

        Corbado's copy goes first (the connect tokens still live, then the user with its
        passkeys); if Corbado cannot confirm, the answer is 502/503/504 and the account stays as it
        was, so the call can simply be repeated. While a deletion runs, logins, refreshes and
        connect tokens for the account are refused. The answer clears the browser transport's
        refresh cookie, whichever transport the caller uses.
        """
        await delete_own_account.execute(request.auth)
        return without_refresh_cookie(Response(None, status_code=204))

    @get(
        "/revocations",
        operation_id="revocations",
        summary="Feed of revoked sessions for APIs that verify our tokens locally",
        response_description=(
            "Revocations after the cursor `since`, and the cursor to poll with next."
        ),
        responses=errors(400, 401, codes={401: ("invalid_feed_secret",)}),
        security=FEED_SECRET,
    )
    async def revocations(
        self,
        request: Request[Any, Any, Any],
        read_revocations: NamedDependency[ReadRevocations],
        # 2**53 - 1: the largest cursor a JavaScript client holds exactly (and the document's bound
        # stays exact, as JSON numbers are read as doubles).
        since: Annotated[int, QueryParameter(ge=0, le=2**53 - 1)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = MAX_PAGE,
    ) -> RevocationFeedResponse:
        """Poll with the last `nextCursor`; deny each `sessionId` until `denyUntil`."""
        page = await read_revocations.execute(bearer_token(request.scope), since, limit)
        return RevocationFeedResponse(
            revocations=[
                RevokedSessionResponse(e.session_id, e.revoked_at, e.deny_until)
                for e in page.entries
            ],
            next_cursor=page.next_cursor,
        )
