from domain.policy import SessionPolicy
from domain.ports import Clock, RevokedSessions, Sessions


class EndSession:
    """End a session everywhere: its refresh tokens in the store, its access tokens at once."""

    def __init__(
        self, sessions: Sessions, revoked: RevokedSessions, clock: Clock, policy: SessionPolicy
    ) -> None:
        self._sessions = sessions
        self._revoked = revoked
        self._clock = clock
        self._policy = policy

    async def execute(self, session_id: str) -> None:
        """Idempotent: ending an ended session succeeds."""
        now = self._clock.now()
        await self._sessions.revoke(session_id, now)
        await self._revoked.add(session_id, now + self._policy.revocation_ttl_s)
