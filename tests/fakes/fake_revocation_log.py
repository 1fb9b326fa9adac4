"""An in-memory RevocationLog: a view over the log that FakeSessions appends to."""

from domain.model import Revocation
from tests.fakes.fake_sessions import FakeSessions


class FakeRevocationLog:
    """Reads `sessions.log`, as the SQL log reads the table the SQL store appends to.

    `uncommitted` holds cursors whose transaction has not committed yet: invisible to every
    read, as on PostgreSQL, where a cursor taken earlier can commit after a later one.
    """

    def __init__(self, sessions: FakeSessions) -> None:
        self._sessions = sessions
        self.uncommitted: set[int] = set()

    def _visible(self) -> list[Revocation]:
        return [entry for entry in self._sessions.log if entry.cursor not in self.uncommitted]

    async def revoked_since(self, since: int) -> list[str]:
        return [entry.session_id for entry in self._visible() if entry.revoked_at >= since]

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        return [entry for entry in self._visible() if entry.cursor > cursor][:limit]

    async def cursor_before(self, since: int) -> int:
        visible = self._visible()
        recent = [entry.cursor for entry in visible if entry.revoked_at >= since]
        if recent:
            return min(recent) - 1
        return max((entry.cursor for entry in visible), default=0)
