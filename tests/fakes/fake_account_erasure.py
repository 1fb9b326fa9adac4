"""An in-memory AccountErasure port over the other fakes."""

from domain.errors import DeletionInterrupted
from domain.model import deletion_pending
from tests.fakes.fake_issued_connect_tokens import FakeIssuedConnectTokens
from tests.fakes.fake_sessions import FakeSessions
from tests.fakes.fake_users import FakeUsers


class FakeAccountErasure:
    """Erases from the fakes it was given, with no await in between: one atomic step."""

    def __init__(
        self, users: FakeUsers, sessions: FakeSessions, tokens: FakeIssuedConnectTokens
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._tokens = tokens

    async def erase(self, user_id: str, now: int) -> tuple[str, ...] | None:
        if await self._users.by_id(user_id) is None:
            return None
        if not deletion_pending(self._users.deletion_mark(user_id), now):
            raise DeletionInterrupted("the account's deletion mark no longer stands")
        ended = self._sessions.erase_user(user_id, now)
        self._tokens.erase_user(user_id)
        self._users.forget(user_id)
        return ended
