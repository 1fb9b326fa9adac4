from dataclasses import dataclass

from domain.errors import SessionNotFound
from domain.usecases.end_session import EndSession
from domain.usecases.list_sessions import ListSessions


@dataclass(frozen=True, slots=True)
class EndOwnSession:
    """End one of the caller's own sessions, from a device list for example."""

    list_sessions: ListSessions
    end_session: EndSession

    async def execute(self, user_id: str, session_id: str) -> None:
        """`SessionNotFound` when no live session of the caller has this id."""
        owned = {session.id for session in await self.list_sessions.execute(user_id)}
        if session_id not in owned:
            raise SessionNotFound("no such session")
        await self.end_session.execute(session_id, user_id=user_id, reason="ended_by_user")
