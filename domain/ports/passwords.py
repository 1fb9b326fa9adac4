from typing import Protocol


class PasswordHasher(Protocol):
    """One-way password hashing with a tunable cost.

    Hashing is slow on purpose, so `hash` and `verify` are awaitable: an adapter runs them off
    the event loop.
    """

    async def hash(self, password: str) -> str:
        """A self-describing hash of `password` (algorithm, parameters and salt included)."""
        ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` matches; False (never an exception) for a malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether `password_hash` was made with weaker parameters than today's."""
        ...
