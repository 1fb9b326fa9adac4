from dataclasses import dataclass

from domain.model import Principal
from domain.policy import SessionPolicy
from domain.ports import Clock
from domain.sessions import require_recent_authentication
from domain.usecases.close_account import CloseAccount, DeletedAccount
from domain.usecases.who_am_i import WhoAmI


@dataclass(frozen=True, slots=True)
class DeleteAccount:
    """Delete the caller's own account (`DELETE /auth/me`); needs a recent login."""

    who_am_i: WhoAmI
    close_account: CloseAccount
    clock: Clock
    policy: SessionPolicy

    async def execute(self, principal: Principal) -> DeletedAccount:
        """Raises `ReauthenticationRequired` for a stale login, else as `CloseAccount`."""
        require_recent_authentication(principal, self.clock.now(), self.policy)
        user = await self.who_am_i.execute(principal.user_id)
        return await self.close_account.execute(user, session_id=principal.session_id)
