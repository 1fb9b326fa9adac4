from dataclasses import dataclass

from domain.model import Principal
from domain.policy import SessionPolicy
from domain.ports import AuditLog, Clock, Users
from domain.ports.audit import AuditAction, AuditEvent
from domain.sessions import require_recent_authentication
from domain.usecases.end_all_sessions import EndAllSessions


@dataclass(frozen=True, slots=True)
class DeletedAccount:
    """What account deletion removed, for the audit trail."""

    user_id: str
    ended_session_ids: tuple[str, ...]


class DeleteAccount:
    """Remove the caller's account and end every session of it; needs a recent login."""

    def __init__(
        self,
        users: Users,
        end_all: EndAllSessions,
        clock: Clock,
        policy: SessionPolicy,
        audit: AuditLog,
    ) -> None:
        self._users = users
        self._end_all = end_all
        self._clock = clock
        self._policy = policy
        self._audit = audit

    async def execute(self, principal: Principal) -> DeletedAccount:
        """Sessions end first, so their access tokens are refused before the user is gone."""
        require_recent_authentication(principal, self._clock.now(), self._policy)
        ended = await self._end_all.execute(principal.user_id, reason="account_deleted")
        await self._users.delete(principal.user_id)
        await self._audit.record(
            AuditEvent(
                AuditAction.ACCOUNT_DELETED,
                user_id=principal.user_id,
                session_id=principal.session_id,
                removed=f"user, {len(ended)} sessions, their refresh tokens",
            )
        )
        return DeletedAccount(user_id=principal.user_id, ended_session_ids=tuple(ended))
