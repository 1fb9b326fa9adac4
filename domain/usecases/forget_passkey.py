from dataclasses import dataclass

from domain.usecases.end_session import EndSession
from domain.usecases.list_sessions import ListSessions


@dataclass(frozen=True, slots=True)
class ForgetPasskey:
    """A passkey was deleted: every session it opened ends, as if it had never been trusted."""

    list_sessions: ListSessions
    end_session: EndSession

    async def execute(self, user_id: str, credential_id: str) -> list[str]:
        """The ids of the caller's sessions opened with `credential_id` that it ended."""
        ended = [
            session.id
            for session in await self.list_sessions.execute(user_id)
            if session.credential_id == credential_id
        ]
        for session_id in ended:
            await self.end_session.execute(session_id, user_id=user_id, reason="passkey_deleted")
        return ended
