from typing import Protocol

from domain.model import Revocation


class RevocationLog(Protocol):
    """The append-only log of ended sessions, read back by cursor or by time.

    `Sessions.revoke` and `AccountErasure.erase` append to it in the transaction that ends the
    session; it outlives the sessions and their users. Every process follows it into its own
    deny-list (`FollowRevocations`), it refills a shared deny-list that lost its entries
    (`RestoreRevocations`), and it feeds the revocation feed.
    """

    async def revoked_since(self, since: int) -> list[str]:
        """Ids of the sessions revoked at or after `since`."""
        ...

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        """Up to `limit` entries with a cursor above `cursor`, oldest first."""
        ...

    async def cursor_before(self, since: int) -> int:
        """A cursor to read on from that misses no entry revoked at or after `since`: one below
        the lowest cursor of those entries; with none, the highest cursor (0 for an empty log)."""
        ...
