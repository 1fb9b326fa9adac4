from typing import Protocol


class AccountErasure(Protocol):
    """The local end of an account deletion, as one transaction."""

    async def erase(self, user_id: str, now: int) -> tuple[str, ...] | None:
        """Revoke every session of the account not yet revoked (each one into the revocation
        log) and delete the user with everything that refers to it, atomically.

        Returns the ids of the sessions it revoked, or None when the user was already gone.
        Raises `DeletionInterrupted`, changing nothing, when the account's deletion mark no
        longer stands at `now` (it lapsed, or a failed deletion lifted it).
        """
        ...
