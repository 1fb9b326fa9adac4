from dataclasses import dataclass

from domain.model import Session
from domain.policy import SessionPolicy
from domain.ports import Clock, Sessions
from domain.session_rules import is_alive


@dataclass(frozen=True, slots=True)
class ListSessions:
    """The caller's live sessions, most recently used first."""

    sessions: Sessions
    clock: Clock
    policy: SessionPolicy

    async def execute(self, user_id: str) -> list[Session]:
        """Revoked, idle and expired sessions are left out."""
        now = self.clock.now()
        live = [
            session
            for session in await self.sessions.list_for_user(user_id)
            if is_alive(session, now, self.policy)
        ]
        return sorted(live, key=lambda session: (session.last_used_at, session.id), reverse=True)
