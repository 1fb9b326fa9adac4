from typing import Protocol

from domain.model import Revocation


class RevocationLog(Protocol):
    """The append-only log of ended sessions, read back by cursor or by time.

    `Sessions.revoke` and `AccountErasure.erase` append to it in the transaction that ends the
    session; it outlives the sessions and their users. It refills the deny-list at start-up and
    feeds the revocation feed.
    """

    async def revoked_since(self, since: int) -> list[str]:
        """Ids of the sessions revoked at or after `since`."""
        ...

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        """Up to `limit` entries with a cursor above `cursor`, oldest first."""
        ...
