from dataclasses import dataclass, field
from typing import NoReturn

from domain.credentials import normalise_email
from domain.errors import AccountClosed, InvalidCredentials, InvalidInput
from domain.model import PASSWORD_AMR, SessionOrigin, TokenPair
from domain.ports import AuditLog, Clock, PasswordHasher, Users
from domain.ports.audit import AuditAction, AuditEvent
from domain.usecases.start_session import StartSession

# The audit reason when a login meets an account whose deletion is under way.
ACCOUNT_BEING_DELETED = "account_being_deleted"


@dataclass(slots=True)
class PasswordLogin:
    """Log in with email and password, the first factor a user has before a passkey."""

    users: Users
    hasher: PasswordHasher
    start_session: StartSession
    audit: AuditLog
    clock: Clock
    # Unknown emails are checked against this hash so that they cost as much as known ones.
    _decoy_hash: str | None = field(default=None, init=False, repr=False)

    async def execute(self, email: str, password: str, user_agent: str | None = None) -> TokenPair:
        """A token pair; `InvalidCredentials` alike for an unknown email and a wrong password."""
        try:
            user = await self.users.by_email(normalise_email(email))
        except InvalidInput:
            user = None
        password_hash = user.password_hash if user and user.password_hash else await self._decoy()
        matches = await self.hasher.verify(password_hash, password)
        if user is None or user.password_hash is None or not matches:
            await self._refuse(user.id if user else None, _failure(user is None, matches))
        if user.is_being_deleted(self.clock.now()):
            await self._refuse(user.id, ACCOUNT_BEING_DELETED)
        if self.hasher.needs_rehash(user.password_hash):
            await self.users.set_password_hash(user.id, await self.hasher.hash(password))
        try:
            return await self.start_session.execute(
                user.id, PASSWORD_AMR, SessionOrigin(user_agent=user_agent)
            )
        except AccountClosed:
            await self._refuse(user.id, ACCOUNT_BEING_DELETED)

    async def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = await self.hasher.hash("decoy password, never valid")
        return self._decoy_hash

    async def _refuse(self, user_id: str | None, reason: str) -> NoReturn:
        await self.audit.record(
            AuditEvent(AuditAction.LOGIN_FAILED, user_id=user_id, method="password", reason=reason)
        )
        raise InvalidCredentials("email or password is incorrect")


def _failure(unknown_email: bool, matches: bool) -> str:
    if unknown_email:
        return "unknown_email"
    return "wrong_password" if not matches else "no_password"
