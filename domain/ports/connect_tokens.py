from typing import Protocol

from domain.model import IssuedConnectToken


class IssuedConnectTokens(Protocol):
    """The connect tokens we asked Corbado for, by account, until they expire.

    Account deletion reads it to delete at Corbado every token that may still be used: a live
    passkey-append token could otherwise re-create the deleted Corbado user.
    """

    async def record(self, user_id: str, token: IssuedConnectToken, now: int) -> bool:
        """Keep `token` for `user_id`; False, keeping nothing, if the account is being deleted
        (its mark stands at `now`) or gone."""
        ...

    async def live_for(self, user_id: str, now: int) -> list[str]:
        """Ids of the account's recorded tokens that have not expired at `now`."""
        ...

    async def forget(self, user_id: str, token_id: str) -> None:
        """Drop a token Corbado confirmed deleted."""
        ...
