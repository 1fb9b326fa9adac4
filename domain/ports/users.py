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

    async def delete(self, user_id: str) -> bool:
        """Remove a user with their sessions and refresh tokens; False if there was none."""
        ...
