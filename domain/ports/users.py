from typing import Protocol

from domain.model import User


class Users(Protocol):
    """The user directory."""

    async def add(self, user: User) -> None:
        """Store a new user; raise `EmailAlreadyRegistered` if the email is taken."""
        ...

    async def by_id(self, user_id: str) -> User | None:
        """The user with this id, if any."""
        ...

    async def by_email(self, email: str) -> User | None:
        """The user with this normalised email, if any."""
        ...

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace a user's password hash (used to upgrade hashing parameters)."""
        ...

    async def prove_email(self, user_id: str, at: int) -> None:
        """Record that the user's address was proven at `at`; a proof recorded before stays
        (the first proof is the one that counts)."""
        ...

    async def delete(self, user_id: str) -> bool:
        """Remove a user with their sessions and refresh tokens; False if there was none."""
        ...

    async def mark_for_deletion(self, user_id: str, until: int) -> bool:
        """Mark the account as being deleted until `until`; False for an unknown user.
        (Account recovery takes the same mark while it takes an earlier holder's ways in away.)

        Once this returns, no session or connect token can be recorded for the account while
        the mark stands, even by a request that was already running (the stores check it).
        """
        ...

    async def clear_deletion_mark(self, user_id: str) -> None:
        """Lift the mark: a deletion that could not finish leaves the account as it was."""
        ...
