from typing import Protocol


class Retention(Protocol):
    """Removes stored rows that can no longer matter, one bounded batch per call.

    Each call deletes at most `limit` rows in one short transaction and returns how many it
    deleted; fewer than `limit` means nothing matching was left for this caller (another caller
    running at the same time may have taken the rest). Calls are idempotent and safe beside
    each other (several workers, several instances) and beside the traffic that changes the
    same rows: a row is deleted only if it still meets the condition at the moment it is
    deleted, so a session used in between stays. Every bound is exclusive: a row at the bound
    stays.
    """

    async def delete_expired_sessions(self, expired_before: int, limit: int) -> int:
        """Delete sessions whose `expires_at` is before `expired_before`, revoked or not,
        together with everything that belongs to them (their refresh tokens)."""
        ...

    async def delete_revoked_sessions(self, revoked_before: int, limit: int) -> int:
        """Delete sessions revoked before `revoked_before`, with what belongs to them.

        Their revocation-log entries are not touched: `delete_revocations` decides those.
        """
        ...

    async def delete_idle_sessions(self, used_before: int, limit: int) -> int:
        """Delete sessions last used before `used_before`, revoked or not, with what belongs
        to them."""
        ...

    async def delete_revocations(self, revoked_before: int, limit: int) -> int:
        """Delete revocation-log entries whose `revoked_at` is before `revoked_before`.

        The entry with the highest cursor always stays, whatever its age: the cursor of every
        later entry is then above every cursor ever handed out, so a feed client holding an
        old cursor never skips a new entry (SQLite, say, would otherwise count again from the
        highest cursor left).
        """
        ...

    async def delete_connect_tokens(self, expired_before: int, limit: int) -> int:
        """Delete connect-token records whose `expires_at` is before `expired_before`."""
        ...
