"""The RevokedSessions port in this process's memory.

Alone, it is the deny-list of a process without Redis; beside Redis, it is each process's own
copy (`adapters/replicated_revocations.py`). Either way the revocation log's follower
(`FollowRevocations`) keeps it complete within a few seconds of any process's revocation.
"""

import heapq
from collections.abc import Sequence

from domain.ports import Clock


class InMemoryRevokedSessions:
    """A deny-list whose entries expire; expired ones are pruned as time passes.

    Pruned on every check, and with `clock` on every addition too: a process that is fed the
    log's entries but checks no token (an idle worker) must not keep them all.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock
        self._until: dict[str, int] = {}
        self._expiries: list[tuple[int, str]] = []

    async def add(self, session_id: str, until: int) -> None:
        if self._clock is not None:
            self._prune(self._clock.now())
        if until > self._until.get(session_id, 0):
            self._until[session_id] = until
            heapq.heappush(self._expiries, (until, session_id))

    async def add_many(self, session_ids: Sequence[str], until: int) -> None:
        for session_id in session_ids:
            await self.add(session_id, until)

    async def contains(self, session_id: str, now: int) -> bool:
        self._prune(now)
        return self._until.get(session_id, 0) > now

    def _prune(self, now: int) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            until, session_id = heapq.heappop(self._expiries)
            if self._until.get(session_id) == until:
                del self._until[session_id]
