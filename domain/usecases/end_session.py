from dataclasses import dataclass

from domain.policy import SessionPolicy
from domain.ports import AuditLog, Clock, RevokedSessions, Sessions
from domain.ports.audit import AuditAction, AuditEvent


@dataclass(frozen=True, slots=True)
class EndSession:
    """End a session everywhere: its refresh tokens in the store, its access tokens at once.

    By id, with no check of whose it is: for a session the caller already holds (logout, a
    reused refresh token's, a forgotten passkey's). An id a client names goes through
    `EndOwnSession`.
    """

    sessions: Sessions
    revoked: RevokedSessions
    clock: Clock
    policy: SessionPolicy
    audit: AuditLog

    async def execute(self, session_id: str, *, user_id: str, reason: str) -> None:
        """Idempotent: ending an ended session succeeds (and is not audited twice).

        `reason` is a fixed code for the audit trail: `logout`, `all_sessions`, ...
        """
        now = self.clock.now()
        ended = await self.sessions.revoke(session_id, now)
        await self.revoked.add(session_id, now + self.policy.revocation_ttl_s)
        if ended:
            await self.audit.record(
                AuditEvent(
                    AuditAction.SESSION_ENDED, user_id=user_id, session_id=session_id, reason=reason
                )
            )
