from dataclasses import KW_ONLY, dataclass
from typing import NoReturn

from domain.errors import AccountClosed, PasskeyLoginFailed
from domain.identifiers import find_by_identifier
from domain.model import (
    PASSKEY_AMR,
    IdentifierKind,
    SessionOrigin,
    TokenPair,
    VerificationResult,
)
from domain.ports import AuditLog, Clock, CorbadoConnect, PasskeyDataReader, Users
from domain.ports.audit import AuditAction, AuditEvent
from domain.usecases.password_login import ACCOUNT_BEING_DELETED
from domain.usecases.start_session import StartSession


@dataclass(frozen=True, slots=True)
class CompleteLogin:
    """Finish a passkey login: Corbado vouches for `signedPasskeyData`, we start a session.

    The token's claims are read unverified only to learn whom it claims to be and to drop what
    cannot succeed (another project, expired) without spending a Corbado call.
    """

    reader: PasskeyDataReader
    corbado: CorbadoConnect
    users: Users
    start_session: StartSession
    clock: Clock
    audit: AuditLog
    _: KW_ONLY
    project_id: str
    identifier_kind: IdentifierKind
    clock_leeway_s: int

    async def execute(self, signed_passkey_data: str, user_agent: str | None = None) -> TokenPair:
        """A token pair; `PasskeyLoginFailed` for every refusal, `CorbadoError` when it fails."""
        try:
            claimed = self.reader.read(signed_passkey_data)
        except PasskeyLoginFailed:
            await self._record_failure("not_a_jwt")
            raise
        if claimed.issuer != self.project_id:
            await self._refuse("other_project", "passkey data was issued for another project")
        if claimed.expires_at <= self.clock.now() - self.clock_leeway_s:
            await self._refuse("expired", "passkey data expired")
        result = await self.corbado.verify_signed_passkey_data(
            signed_passkey_data, claimed.webauthn_id
        )
        if result is not VerificationResult.SUCCESS:
            await self._refuse(result.value, f"passkey verification failed: {result.value}")
        user = await find_by_identifier(self.users, self.identifier_kind, claimed.webauthn_id)
        if user is None:
            await self._refuse("unknown_user", "passkey belongs to no known user")
        if user.is_being_deleted(self.clock.now()):
            await self._refuse(ACCOUNT_BEING_DELETED, "the account is being deleted")
        origin = SessionOrigin(
            user_agent=user_agent,
            credential_id=claimed.credential_id,
            corbado_user_id=claimed.corbado_user_id,
        )
        try:
            return await self.start_session.execute(user.id, PASSKEY_AMR, origin)
        except AccountClosed:
            await self._refuse(ACCOUNT_BEING_DELETED, "the account is being deleted")

    async def _refuse(self, reason: str, message: str) -> NoReturn:
        await self._record_failure(reason)
        raise PasskeyLoginFailed(message)

    async def _record_failure(self, reason: str) -> None:
        await self.audit.record(
            AuditEvent(AuditAction.LOGIN_FAILED, method="passkey", reason=reason)
        )
