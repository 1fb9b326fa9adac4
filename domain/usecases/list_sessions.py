from domain.model import Session
from domain.policy import SessionPolicy
from domain.ports import Clock, Sessions
from domain.sessions import is_alive


class ListSessions:
    """The caller's live sessions, most recently used first."""

    def __init__(self, sessions: Sessions, clock: Clock, policy: SessionPolicy) -> None:
        self._sessions = sessions
        self._clock = clock
        self._policy = policy

    async def execute(self, user_id: str) -> list[Session]:
        """Revoked, idle and expired sessions are left out."""
        now = self._clock.now()
        live = [
            session
            for session in await self._sessions.list_for_user(user_id)
            if is_alive(session, now, self._policy)
        ]
        return sorted(live, key=lambda session: (session.last_used_at, session.id), reverse=True)
