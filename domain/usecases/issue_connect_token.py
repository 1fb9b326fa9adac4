import contextlib
from dataclasses import dataclass

from domain.errors import AccountClosed, CorbadoError
from domain.identifiers import identifier_of
from domain.model import ConnectTokenType, IdentifierKind, Principal
from domain.policy import SessionPolicy
from domain.ports import Clock, CorbadoAccounts, CorbadoConnect, IssuedConnectTokens
from domain.session_rules import require_recent_authentication
from domain.usecases.who_am_i import WhoAmI

# Adding or removing a passkey changes how the account can be entered: a stolen access token
# alone must not be enough for it.
SENSITIVE_TYPES = frozenset({ConnectTokenType.PASSKEY_APPEND, ConnectTokenType.PASSKEY_DELETE})


@dataclass(frozen=True, slots=True)
class IssueConnectToken:
    """A Corbado connect token for the caller's own passkey operation.

    Every token is recorded with its id, so that deleting the account can delete at Corbado
    each one that may still be used.
    """

    who_am_i: WhoAmI
    corbado: CorbadoConnect
    corbado_accounts: CorbadoAccounts
    issued_tokens: IssuedConnectTokens
    clock: Clock
    policy: SessionPolicy
    identifier_kind: IdentifierKind

    async def execute(self, principal: Principal, token_type: ConnectTokenType) -> str:
        """The token secret; `ReauthenticationRequired` for a stale login on sensitive types,
        `AccountClosed` while the account is being deleted."""
        now = self.clock.now()
        if token_type in SENSITIVE_TYPES:
            require_recent_authentication(principal, now, self.policy)
        user = await self.who_am_i.execute(principal.user_id)
        if user.is_being_deleted(now):
            raise AccountClosed("the account is being deleted")
        token = await self.corbado.create_connect_token(
            token_type, identifier_of(user, self.identifier_kind), user.display_name
        )
        if not await self.issued_tokens.record(user.id, token, self.clock.now()):
            # The account's deletion began while Corbado answered: it cannot have seen this
            # token, so the token must not outlive this request.
            # If Corbado fails now, the token still expires by itself; the caller is refused.
            with contextlib.suppress(CorbadoError):
                await self.corbado_accounts.delete_connect_token(token.id)
            raise AccountClosed("the account is being deleted")
        return token.secret
