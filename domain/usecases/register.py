from dataclasses import KW_ONLY, dataclass

from domain.errors import RegistrationClosed
from domain.model import User
from domain.usecases.create_user import CreateUser


@dataclass(frozen=True, slots=True)
class Register:
    """Self-service sign-up, open only where the deployment allows it."""

    create_user: CreateUser
    _: KW_ONLY
    open_to_public: bool

    async def execute(self, email: str, password: str, display_name: str) -> User:
        """Create the user; raises `RegistrationClosed` when registration is off."""
        if not self.open_to_public:
            raise RegistrationClosed("registration is closed")
        return await self.create_user.execute(email, password, display_name)
