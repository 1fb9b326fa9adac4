from domain.policy import SessionPolicy
from domain.ports import AuditLog, Clock, RevokedSessions, Sessions
from domain.ports.audit import AuditAction, AuditEvent


class EndSession:
    """End a session everywhere: its refresh tokens in the store, its access tokens at once."""

    def __init__(
        self,
        sessions: Sessions,
        revoked: RevokedSessions,
        clock: Clock,
        policy: SessionPolicy,
        audit: AuditLog,
    ) -> None:
        self._sessions = sessions
        self._revoked = revoked
        self._clock = clock
        self._policy = policy
        self._audit = audit

    async def execute(self, session_id: str, *, user_id: str, reason: str) -> None:
        """Idempotent: ending an ended session succeeds (and is not audited twice).

        `reason` is a fixed code for the audit trail: `logout`, `all_sessions`, ...
        """
        now = self._clock.now()
        ended = await self._sessions.revoke(session_id, now)
        await self._revoked.add(session_id, now + self._policy.revocation_ttl_s)
        if ended:
            await self._audit.record(
                AuditEvent(
                    AuditAction.SESSION_ENDED, user_id=user_id, session_id=session_id, reason=reason
                )
            )
