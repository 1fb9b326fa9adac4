"""Account recovery with the token of a mailed link: whoever reads the mailbox gets the account
back, and whatever an earlier holder of an unproven address left in it is taken away.

1. The token is checked (it stays live) and the new password too; nothing changes on refusal.
2. The account is closed to new sessions and connect tokens while the rest runs: the deletion
   mark (a lease of `DELETION_LEASE_S`), which the stores check as they record either, even for
   a request already running. Without it an earlier holder, seeing its session end, could log
   in again with the old password (or a passkey not yet deleted) and get a passkey-append
   token that outlives the recovery.
3. Every session ends, so an earlier holder can no longer act.
4. At Corbado: every connect token that may still be used is deleted, then every passkey added
   while the address was unproven. If Corbado cannot confirm, the mark is lifted, the error
   propagates and the token stays live: the call can simply be repeated.
5. The token is used up and the password replaced, in one transaction; then the address is
   marked proven and the mark is lifted (no session can have started under it).
6. A new session starts for the caller.
"""

from dataclasses import KW_ONLY, dataclass

from domain.corbado_cleanup import delete_live_connect_tokens, delete_unproven_passkeys
from domain.credentials import check_password
from domain.email_links import EmailPurpose, email_token_hash
from domain.errors import AccountClosed, EmailNotConfigured, InvalidEmailToken
from domain.identifiers import identifier_of
from domain.model import PASSWORD_AMR, IdentifierKind, SessionOrigin, TokenPair, User
from domain.ports import (
    AuditLog,
    Clock,
    CorbadoAccounts,
    EmailTokens,
    IssuedConnectTokens,
    PasswordHasher,
    Users,
)
from domain.ports.audit import AuditAction, AuditEvent
from domain.usecases.delete_account_everywhere import DELETION_LEASE_S
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.start_session import StartSession

# The audit reason of the sessions a recovery ends.
ACCOUNT_RECOVERED = "account_recovered"


@dataclass(frozen=True, slots=True)
class CompleteRecovery:
    """Set a new password with a recovery token (see the module docstring for the order)."""

    tokens: EmailTokens
    users: Users
    hasher: PasswordHasher
    end_all_sessions: EndAllSessions
    issued_tokens: IssuedConnectTokens
    corbado: CorbadoAccounts
    start_session: StartSession
    clock: Clock
    audit: AuditLog
    _: KW_ONLY
    identifier_kind: IdentifierKind
    enabled: bool

    async def execute(
        self, token: str, new_password: str, user_agent: str | None = None
    ) -> TokenPair:
        """A token pair of a new session. Raises `InvalidPassword`, `InvalidEmailToken` (unknown,
        used, expired or not a recovery token), `AccountClosed` while the account is being
        deleted or recovered, `CorbadoError` when Corbado cannot confirm, `EmailNotConfigured`
        where no mail is sent."""
        if not self.enabled:
            raise EmailNotConfigured("this deployment sends no mail")
        check_password(new_password)
        token_hash = email_token_hash(token)
        user = await self._holder(token_hash)
        await self.users.mark_for_deletion(user.id, self.clock.now() + DELETION_LEASE_S)
        try:
            connect_tokens, passkeys = await self._take_back(user, token_hash, new_password)
        finally:
            # Cancellation included: a recovery that stopped half-way must not keep anyone out.
            await self.users.clear_deletion_mark(user.id)
        await self.audit.record(
            AuditEvent(
                AuditAction.ACCOUNT_RECOVERED,
                user_id=user.id,
                removed=f"{connect_tokens} connect tokens and {passkeys} passkeys",
            )
        )
        return await self.start_session.execute(
            user.id, PASSWORD_AMR, SessionOrigin(user_agent=user_agent)
        )

    async def _take_back(self, user: User, token_hash: str, new_password: str) -> tuple[int, int]:
        """Steps 3 to 5, under the mark: how many connect tokens and passkeys were deleted."""
        await self.end_all_sessions.execute(user.id, reason=ACCOUNT_RECOVERED)
        connect_tokens = await delete_live_connect_tokens(
            self.issued_tokens, self.corbado, user.id, self.clock.now()
        )
        passkeys = await delete_unproven_passkeys(
            self.corbado, identifier_of(user, self.identifier_kind), user.email_verified_at
        )
        password_hash = await self.hasher.hash(new_password)
        if await self.tokens.recover(token_hash, password_hash, self.clock.now()) is None:
            raise InvalidEmailToken("the recovery token was used meanwhile")
        # No session can have started since the first sweep: the mark refuses every new one.
        await self.users.prove_email(user.id, self.clock.now())
        return connect_tokens, passkeys

    async def _holder(self, token_hash: str) -> User:
        now = self.clock.now()
        user_id = await self.tokens.holder(token_hash, EmailPurpose.RECOVER, now)
        user = None if user_id is None else await self.users.by_id(user_id)
        if user is None:
            raise InvalidEmailToken("not a live recovery token")
        if user.is_being_deleted(now):
            raise AccountClosed("the account is being deleted")
        return user
