from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.policy import SessionPolicy
from domain.ports import Clock, Retention
from domain.retention import retention_cutoffs

# Rows per transaction: short enough that SQLite's one write lock and PostgreSQL's row locks are
# held for milliseconds, large enough that a backlog of a million rows takes a thousand trips.
BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows one purge removed, by kind.

    A session that meets several rules counts once, under the first that removed it: expired,
    then revoked, then idle. Refresh tokens go with their sessions and are not counted.
    """

    expired_sessions: int = 0
    revoked_sessions: int = 0
    idle_sessions: int = 0
    revocations: int = 0
    connect_tokens: int = 0

    @property
    def sessions(self) -> int:
        """Sessions removed, for any reason."""
        return self.expired_sessions + self.revoked_sessions + self.idle_sessions

    @property
    def total(self) -> int:
        """Rows removed of every kind."""
        return self.sessions + self.revocations + self.connect_tokens


class PurgeExpired:
    """Remove what can no longer matter: ended sessions, old revocations, expired connect tokens.

    The cut-offs come from the clock and the policy once per run (`domain.retention`); each
    kind is then deleted a batch at a time until a batch comes back short. Running it in
    several places at once is safe: each row goes once, and each run stops when nothing of its
    own is left.
    """

    def __init__(
        self,
        retention: Retention,
        clock: Clock,
        policy: SessionPolicy,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._retention = retention
        self._clock = clock
        self._policy = policy
        self._batch_size = batch_size

    async def execute(self) -> Purged:
        """What was removed; a store's failure propagates (rows already removed stay removed)."""
        cutoffs = retention_cutoffs(self._clock.now(), self._policy)
        retention = self._retention
        return Purged(
            expired_sessions=await self._drain(
                retention.delete_expired_sessions, cutoffs.expired_before
            ),
            revoked_sessions=await self._drain(
                retention.delete_revoked_sessions, cutoffs.revoked_before
            ),
            idle_sessions=await self._drain(retention.delete_idle_sessions, cutoffs.used_before),
            revocations=await self._drain(retention.delete_revocations, cutoffs.revocations_before),
            connect_tokens=await self._drain(
                retention.delete_connect_tokens, cutoffs.connect_tokens_before
            ),
        )

    async def _drain(self, delete: Callable[[int, int], Awaitable[int]], before: int) -> int:
        removed = 0
        while True:
            batch = await delete(before, self._batch_size)
            removed += batch
            if batch < self._batch_size:
                return removed
