from typing import Protocol

from domain.model import RefreshTokenRecord, Revocation, Session


class Sessions(Protocol):
    """The session store, with its refresh tokens kept only as hashes.

    Each method that changes state is atomic on its own, so two workers racing over one refresh
    token cannot both rotate it.
    """

    async def create(self, session: Session, refresh_hash: str) -> bool:
        """Store a new session with its first refresh token.

        Returns False, storing nothing, when its user is gone or being deleted at
        `session.created_at`: a login racing an account deletion must not leave a session the
        deletion never saw.
        """
        ...

    async def get(self, session_id: str) -> Session | None:
        """The session with this id, revoked or not."""
        ...

    async def find_refresh(self, refresh_hash: str) -> RefreshTokenRecord | None:
        """The refresh token with this hash, its session and its account's deletion mark, if it
        was ever issued."""
        ...

    async def rotate(self, old_hash: str, new_hash: str, now: int) -> bool:
        """Mark `old_hash` rotated and add `new_hash`, only if `old_hash` was not rotated yet.

        Returns False, changing nothing, when another caller rotated it first.
        """
        ...

    async def reissue(self, rotated_hash: str, new_hash: str, now: int) -> bool:
        """Give an already rotated token its one grace-window successor `new_hash`.

        Returns False, changing nothing, when that token had its reissue already: a second
        replay is treated as theft, so the grace window cannot fork a session without bound.
        """
        ...

    async def list_for_user(self, user_id: str) -> list[Session]:
        """Every session of `user_id` that was not revoked (it may still be idle or expired)."""
        ...

    async def revoke(self, session_id: str, now: int) -> bool:
        """End a session and append it to the revocation log.

        Returns False, changing nothing, for an unknown or already revoked session.
        """
        ...

    async def revoked_since(self, since: int) -> list[str]:
        """Ids of the sessions revoked at or after `since`, from the log (outlives users)."""
        ...

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        """Up to `limit` log entries with a cursor above `cursor`, oldest first."""
        ...
