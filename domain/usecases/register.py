from domain.errors import RegistrationClosed
from domain.model import User
from domain.usecases.create_user import CreateUser


class Register:
    """Self-service sign-up, open only where the deployment allows it."""

    def __init__(self, create_user: CreateUser, *, open_to_public: bool) -> None:
        self._create_user = create_user
        self._open = open_to_public

    async def execute(self, email: str, password: str, display_name: str) -> User:
        """Create the user; raises `RegistrationClosed` when registration is off."""
        if not self._open:
            raise RegistrationClosed("registration is closed")
        return await self._create_user.execute(email, password, display_name)
