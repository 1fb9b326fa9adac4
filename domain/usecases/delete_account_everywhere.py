"""Account deletion here and at Corbado, in an order that is safe to retry.

The one procedure behind both ways to delete an account: `DeleteOwnAccount` (the owner,
`DELETE /auth/me`) and `DeleteAccountAsOperator` (`connect-backend users delete`).

1. Mark the account as being deleted (a lease of `DELETION_LEASE_S`): from then on no login,
   refresh, passkey login or connect token is granted for it, and no session or connect token
   can be recorded for it, even by a request that was already running.
2. At Corbado: delete every connect token of the account that may still be live (a passkey-append
   token could re-create the Corbado user, a passkey-list or -delete token could reach whoever
   holds the identifier next), then the Corbado users holding its identifier, with their
   passkeys. What Corbado no longer has counts as done, so a retry simply runs again.
3. Deny every live session's access tokens, then, in one local transaction, revoke every session
   (into the revocation log) and delete the user with everything that refers to it.

If Corbado cannot confirm step 2, or anything fails before step 3 committed, the mark is lifted
and the error propagates: the account stays as it was (bar what Corbado already removed, which a
retry would remove anyway) and can be deleted again.
"""

from dataclasses import dataclass

from domain.corbado_cleanup import delete_live_connect_tokens
from domain.errors import AccountClosed
from domain.identifiers import identifier_of
from domain.model import IdentifierKind, User
from domain.policy import SessionPolicy
from domain.ports import (
    AccountErasure,
    AuditLog,
    Clock,
    CorbadoAccounts,
    IssuedConnectTokens,
    RevokedSessions,
    Sessions,
    Users,
)
from domain.ports.audit import AuditAction, AuditEvent

# Long enough for a deletion with many live connect tokens, each call bounded by
# CORBADO_TIMEOUT_S; short enough that a deletion which died half-way (a crashed worker) does
# not lock the owner out for long.
DELETION_LEASE_S = 600


@dataclass(frozen=True, slots=True)
class DeletedAccount:
    """What account deletion removed, for the audit trail and the caller."""

    user_id: str
    ended_session_ids: tuple[str, ...]
    connect_tokens_deleted: int
    corbado_users_deleted: int


@dataclass(frozen=True, slots=True)
class DeleteAccountEverywhere:
    """Delete an account here and at Corbado (the module docstring says in which order).

    Who may delete it is the caller's to check: `DeleteOwnAccount` and `DeleteAccountAsOperator`.
    """

    users: Users
    sessions: Sessions
    issued_tokens: IssuedConnectTokens
    corbado: CorbadoAccounts
    erasure: AccountErasure
    revoked: RevokedSessions
    clock: Clock
    policy: SessionPolicy
    audit: AuditLog
    identifier_kind: IdentifierKind

    async def execute(self, user: User, *, session_id: str | None = None) -> DeletedAccount:
        """Raises `AccountClosed` for a user that is already gone, `CorbadoError` when Corbado
        cannot confirm, `DeletionInterrupted` when the mark lapsed before the local step.

        `session_id` is the session that asked for the deletion, if any, for the audit trail.
        """
        if not await self.users.mark_for_deletion(user.id, self.clock.now() + DELETION_LEASE_S):
            raise AccountClosed("the account no longer exists")
        try:
            tokens = await self._delete_connect_tokens(user.id)
            corbado_users = await self._delete_corbado_users(user)
            ended = await self._erase(user.id)
        except BaseException:
            # Cancellation included: a deletion that stopped half-way must not keep the owner out.
            await self.users.clear_deletion_mark(user.id)
            raise
        for ended_id in ended:
            await self.audit.record(
                AuditEvent(
                    AuditAction.SESSION_ENDED,
                    user_id=user.id,
                    session_id=ended_id,
                    reason="account_deleted",
                )
            )
        await self.audit.record(
            AuditEvent(
                AuditAction.ACCOUNT_DELETED,
                user_id=user.id,
                session_id=session_id,
                removed=(
                    f"user, {len(ended)} sessions, their refresh tokens, {tokens} connect tokens"
                    f" and {corbado_users} Corbado users"
                ),
            )
        )
        return DeletedAccount(user.id, ended, tokens, corbado_users)

    async def _delete_connect_tokens(self, user_id: str) -> int:
        return await delete_live_connect_tokens(
            self.issued_tokens, self.corbado, user_id, self.clock.now()
        )

    async def _delete_corbado_users(self, user: User) -> int:
        corbado_user_ids = await self.corbado.user_ids_for(
            identifier_of(user, self.identifier_kind)
        )
        for corbado_user_id in corbado_user_ids:
            await self.corbado.delete_user(corbado_user_id)
        return len(corbado_user_ids)

    async def _erase(self, user_id: str) -> tuple[str, ...]:
        # Denied before the erasure commits, so that no session of a deleted account is left
        # undenied if this process stops between the two; the mark keeps the set complete.
        now = self.clock.now()
        until = now + self.policy.revocation_ttl_s
        denied = {session.id for session in await self.sessions.list_for_user(user_id)}
        for session_id in sorted(denied):
            await self.revoked.add(session_id, until)
        ended = await self.erasure.erase(user_id, now)
        if ended is None:  # a concurrent deletion of the same account finished first
            return ()
        for session_id in ended:
            if session_id not in denied:
                await self.revoked.add(session_id, until)
        return ended
