"""A deny-list as a plain dict, with no pruning cleverness."""

from collections.abc import Sequence


class FakeRevokedSessions:
    """Entries expire at their `until`; `entries` is open for assertions."""

    def __init__(self) -> None:
        self.entries: dict[str, int] = {}

    async def add(self, session_id: str, until: int) -> None:
        self.entries[session_id] = max(until, self.entries.get(session_id, 0))

    async def add_many(self, session_ids: Sequence[str], until: int) -> None:
        for session_id in session_ids:
            await self.add(session_id, until)

    async def contains(self, session_id: str, now: int) -> bool:
        return self.entries.get(session_id, 0) > now
