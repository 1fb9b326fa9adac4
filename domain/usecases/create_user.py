from dataclasses import dataclass

from domain.credentials import check_password, new_id, normalise_display_name, normalise_email
from domain.model import User
from domain.ports import AuditLog, Clock, PasswordHasher, Users
from domain.ports.audit import AuditAction, AuditEvent


@dataclass(frozen=True, slots=True)
class CreateUser:
    """Create a user with a password, as an operator (`users add`) or through registration."""

    users: Users
    hasher: PasswordHasher
    clock: Clock
    audit: AuditLog

    async def execute(self, email: str, password: str, display_name: str) -> User:
        """Validate, hash and store; raises `InvalidInput` or `EmailAlreadyRegistered`."""
        normalised_email = normalise_email(email)
        normalised_name = normalise_display_name(display_name)
        check_password(password)
        user = User(
            id=new_id(),
            email=normalised_email,
            display_name=normalised_name,
            password_hash=await self.hasher.hash(password),
            created_at=self.clock.now(),
        )
        await self.users.add(user)
        await self.audit.record(AuditEvent(AuditAction.USER_REGISTERED, user_id=user.id))
        return user
