from dataclasses import dataclass

from domain.usecases.end_session import EndSession
from domain.usecases.list_sessions import ListSessions


@dataclass(frozen=True, slots=True)
class EndAllSessions:
    """Log a user out everywhere."""

    list_sessions: ListSessions
    end_session: EndSession

    async def execute(self, user_id: str, reason: str = "all_sessions") -> list[str]:
        """The ids of the sessions it ended; `reason` goes to the audit trail."""
        ended = [session.id for session in await self.list_sessions.execute(user_id)]
        for session_id in ended:
            await self.end_session.execute(session_id, user_id=user_id, reason=reason)
        return ended
