"""An in-memory Retention port over the session and connect-token fakes."""

from tests.fakes.fake_issued_connect_tokens import FakeIssuedConnectTokens
from tests.fakes.fake_sessions import FakeSessions


class FakeRetention:
    """Removes from the very fakes the other ports read, so a purge is visible through them.

    No method awaits, so each call is atomic on the event loop, as one SQL statement is.
    """

    def __init__(self, sessions: FakeSessions, connect_tokens: FakeIssuedConnectTokens) -> None:
        self._sessions = sessions
        self._connect_tokens = connect_tokens

    async def delete_expired_sessions(self, expired_before: int, limit: int) -> int:
        return self._sessions.purge_sessions(
            lambda session: session.expires_at < expired_before, limit
        )

    async def delete_revoked_sessions(self, revoked_before: int, limit: int) -> int:
        return self._sessions.purge_sessions(
            lambda session: session.revoked_at is not None and session.revoked_at < revoked_before,
            limit,
        )

    async def delete_idle_sessions(self, used_before: int, limit: int) -> int:
        return self._sessions.purge_sessions(
            lambda session: session.last_used_at < used_before, limit
        )

    async def delete_revocations(self, revoked_before: int, limit: int) -> int:
        return self._sessions.purge_revocations(revoked_before, limit)

    async def delete_connect_tokens(self, expired_before: int, limit: int) -> int:
        return self._connect_tokens.purge_expired(expired_before, limit)
