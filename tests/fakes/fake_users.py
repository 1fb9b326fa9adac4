"""An in-memory Users port."""

from dataclasses import replace

from domain.errors import EmailAlreadyRegistered
from domain.model import User


class FakeUsers:
    """The user directory in a dict, with the semantics the SQL store has."""

    def __init__(self) -> None:
        self._users: dict[str, User] = {}

    async def add(self, user: User) -> None:
        if await self.by_email(user.email) is not None:
            raise EmailAlreadyRegistered("email address is already registered")
        self._users[user.id] = user

    async def by_id(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((user for user in self._users.values() if user.email == email), None)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = replace(user, password_hash=password_hash)

    async def delete(self, user_id: str) -> bool:
        return self._users.pop(user_id, None) is not None
