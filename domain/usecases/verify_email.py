from dataclasses import KW_ONLY, dataclass

from domain.email_links import EmailPurpose, email_token_hash
from domain.errors import EmailNotConfigured, InvalidEmailToken
from domain.ports import AuditLog, Clock, EmailTokens, Users
from domain.ports.audit import AuditAction, AuditEvent


@dataclass(frozen=True, slots=True)
class VerifyEmail:
    """Mark an account's address proven with the token of a verification link."""

    tokens: EmailTokens
    users: Users
    clock: Clock
    audit: AuditLog
    _: KW_ONLY
    enabled: bool

    async def execute(self, token: str) -> None:
        """Raises `InvalidEmailToken` for a token that is unknown, used, expired or not a
        verification token, `EmailNotConfigured` where no mail is sent."""
        if not self.enabled:
            raise EmailNotConfigured("this deployment sends no mail")
        token_hash = email_token_hash(token)
        now = self.clock.now()
        user_id = await self.tokens.holder(token_hash, EmailPurpose.VERIFY, now)
        if user_id is None:
            raise InvalidEmailToken("not a live verification token")
        # Proven before the token is used up: a crash in between leaves a token that proves
        # again, never a used token that proved nothing.
        await self.users.prove_email(user_id, now)
        if await self.tokens.use(token_hash, EmailPurpose.VERIFY, now) is None:
            raise InvalidEmailToken("the verification token was used meanwhile")
        await self.audit.record(AuditEvent(AuditAction.EMAIL_VERIFIED, user_id=user_id))
