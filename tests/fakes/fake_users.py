"""An in-memory Users port."""

from dataclasses import replace

from domain.errors import EmailAlreadyRegistered
from domain.model import User, deletion_pending


class FakeUsers:
    """The user directory in a dict, with the semantics the SQL store has."""

    def __init__(self) -> None:
        self._users: dict[str, User] = {}

    async def add(self, user: User) -> None:
        if await self.by_email(user.email) is not None:
            raise EmailAlreadyRegistered("email address is already registered")
        self._users[user.id] = user

    def seed(self, user: User) -> None:
        """Add a user without the checks of `add` (test set-up)."""
        self._users[user.id] = user

    async def by_id(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((user for user in self._users.values() if user.email == email), None)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = replace(user, password_hash=password_hash)

    async def prove_email(self, user_id: str, at: int) -> None:
        user = self._users.get(user_id)
        if user is not None and user.email_verified_at is None:
            self._users[user_id] = replace(user, email_verified_at=at)

    async def delete(self, user_id: str) -> bool:
        return self._users.pop(user_id, None) is not None

    async def mark_for_deletion(self, user_id: str, until: int) -> bool:
        user = self._users.get(user_id)
        if user is None:
            return False
        self._users[user_id] = replace(user, deletion_pending_until=until)
        return True

    async def clear_deletion_mark(self, user_id: str) -> None:
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = replace(user, deletion_pending_until=None)

    def deletion_mark(self, user_id: str) -> int | None:
        """The account's deletion mark, for the fakes of the other stores (no await: atomic)."""
        user = self._users.get(user_id)
        return None if user is None else user.deletion_pending_until

    def is_open(self, user_id: str, now: int) -> bool:
        """Whether something may be recorded for the account at `now`, as the SQL stores ask."""
        user = self._users.get(user_id)
        return user is not None and not deletion_pending(user.deletion_pending_until, now)

    def exists(self, user_id: str) -> bool:
        """Whether the account is there (no await: atomic)."""
        return user_id in self._users

    def replace_password_hash(self, user_id: str, password_hash: str) -> None:
        """`set_password_hash` without an await, for the fakes of the other stores."""
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = replace(user, password_hash=password_hash)

    def forget(self, user_id: str) -> bool:
        """Remove the user at once (the erasure fake's last step)."""
        return self._users.pop(user_id, None) is not None
