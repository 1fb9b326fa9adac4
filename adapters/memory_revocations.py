"""The RevokedSessions port in this process's memory: correct for a single worker."""

import heapq


class InMemoryRevokedSessions:
    """A deny-list whose entries expire; expired ones are pruned as time passes."""

    def __init__(self) -> None:
        self._until: dict[str, int] = {}
        self._expiries: list[tuple[int, str]] = []

    async def add(self, session_id: str, until: int) -> None:
        if until > self._until.get(session_id, 0):
            self._until[session_id] = until
            heapq.heappush(self._expiries, (until, session_id))

    async def contains(self, session_id: str, now: int) -> bool:
        self._prune(now)
        return self._until.get(session_id, 0) > now

    def _prune(self, now: int) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            until, session_id = heapq.heappop(self._expiries)
            if self._until.get(session_id) == until:
                del self._until[session_id]
