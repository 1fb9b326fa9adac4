from domain.policy import SessionPolicy
from domain.ports import Clock, RevokedSessions, Sessions


class RestoreRevocations:
    """Refill the deny-list at start-up from sessions whose access tokens may still be live."""

    def __init__(
        self, sessions: Sessions, revoked: RevokedSessions, clock: Clock, policy: SessionPolicy
    ) -> None:
        self._sessions = sessions
        self._revoked = revoked
        self._clock = clock
        self._policy = policy

    async def execute(self) -> int:
        """How many sessions were put back on the deny-list."""
        now = self._clock.now()
        ttl = self._policy.revocation_ttl_s
        session_ids = await self._sessions.revoked_since(now - ttl)
        for session_id in session_ids:
            await self._revoked.add(session_id, now + ttl)
        return len(session_ids)
