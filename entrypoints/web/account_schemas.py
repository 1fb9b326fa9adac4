"""The wire format of the account operations: sessions, a deleted passkey, revocations."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from entrypoints.web.wire import Wire, json_body


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
