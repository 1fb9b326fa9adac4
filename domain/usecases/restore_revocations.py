from dataclasses import dataclass

from domain.policy import SessionPolicy
from domain.ports import Clock, RevocationLog, RevokedSessions


@dataclass(frozen=True, slots=True)
class RestoreRevocations:
    """Copy every revocation whose session's access tokens may still be live from the log into a
    deny-list: how a shared deny-list that lost its entries (a Redis restarted empty, flushed,
    or that missed writes while it was away) holds them all again."""

    revocation_log: RevocationLog
    revoked: RevokedSessions
    clock: Clock
    policy: SessionPolicy

    async def execute(self) -> int:
        """How many sessions were put back on the deny-list."""
        now = self.clock.now()
        ttl = self.policy.revocation_ttl_s
        session_ids = await self.revocation_log.revoked_since(now - ttl)
        await self.revoked.add_many(session_ids, now + ttl)
        return len(session_ids)
