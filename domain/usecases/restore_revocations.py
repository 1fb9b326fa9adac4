from dataclasses import dataclass

from domain.policy import SessionPolicy
from domain.ports import Clock, RevocationLog, RevokedSessions


@dataclass(frozen=True, slots=True)
class RestoreRevocations:
    """Refill the deny-list at start-up from sessions whose access tokens may still be live."""

    revocation_log: RevocationLog
    revoked: RevokedSessions
    clock: Clock
    policy: SessionPolicy

    async def execute(self) -> int:
        """How many sessions were put back on the deny-list."""
        now = self.clock.now()
        ttl = self.policy.revocation_ttl_s
        session_ids = await self.revocation_log.revoked_since(now - ttl)
        for session_id in session_ids:
            await self.revoked.add(session_id, now + ttl)
        return len(session_ids)
