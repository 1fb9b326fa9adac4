from dataclasses import dataclass

from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import User
from domain.ports import Users


@dataclass(frozen=True, slots=True)
class WhoAmI:
    """The profile of the authenticated caller."""

    users: Users

    async def execute(self, user_id: str) -> User:
        """Raises `InvalidAccessToken` when the token outlived its user."""
        user = await self.users.by_id(user_id)
        if user is None:
            # Deleting a user ends its sessions; this token only raced the deny-list.
            raise InvalidAccessToken(
                "user no longer exists", reason=AccessTokenRefusal.SESSION_ENDED
            )
        return user
