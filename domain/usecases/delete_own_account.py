from dataclasses import dataclass

from domain.model import Principal
from domain.policy import SessionPolicy
from domain.ports import Clock
from domain.session_rules import require_recent_authentication
from domain.usecases.delete_account_everywhere import DeleteAccountEverywhere, DeletedAccount
from domain.usecases.who_am_i import WhoAmI


@dataclass(frozen=True, slots=True)
class DeleteOwnAccount:
    """The owner deletes their account (`DELETE /auth/me`): a recent login, then
    `DeleteAccountEverywhere`."""

    who_am_i: WhoAmI
    delete_account_everywhere: DeleteAccountEverywhere
    clock: Clock
    policy: SessionPolicy

    async def execute(self, principal: Principal) -> DeletedAccount:
        """Raises `ReauthenticationRequired` for a stale login, else as
        `DeleteAccountEverywhere`."""
        require_recent_authentication(principal, self.clock.now(), self.policy)
        user = await self.who_am_i.execute(principal.user_id)
        return await self.delete_account_everywhere.execute(user, session_id=principal.session_id)
