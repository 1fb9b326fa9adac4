"""An in-memory RevocationLog: a view over the log that FakeSessions appends to."""

from domain.model import Revocation
from tests.fakes.fake_sessions import FakeSessions


class FakeRevocationLog:
    """Reads `sessions.log`, as the SQL log reads the table the SQL store appends to."""

    def __init__(self, sessions: FakeSessions) -> None:
        self._sessions = sessions

    async def revoked_since(self, since: int) -> list[str]:
        return [entry.session_id for entry in self._sessions.log if entry.revoked_at >= since]

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        return [entry for entry in self._sessions.log if entry.cursor > cursor][:limit]
