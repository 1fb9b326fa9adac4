from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import User
from domain.ports import Users


class WhoAmI:
    """The profile of the authenticated caller."""

    def __init__(self, users: Users) -> None:
        self._users = users

    async def execute(self, user_id: str) -> User:
        """Raises `InvalidAccessToken` when the token outlived its user."""
        user = await self._users.by_id(user_id)
        if user is None:
            # Deleting a user ends its sessions; this token only raced the deny-list.
            raise InvalidAccessToken(
                "user no longer exists", reason=AccessTokenRefusal.SESSION_ENDED
            )
        return user
