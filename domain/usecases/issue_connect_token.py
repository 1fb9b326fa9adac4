from domain.identifiers import identifier_of
from domain.model import ConnectTokenType, IdentifierKind, Principal
from domain.policy import SessionPolicy
from domain.ports import Clock, CorbadoConnect
from domain.sessions import require_recent_authentication
from domain.usecases.who_am_i import WhoAmI

# Adding or removing a passkey changes how the account can be entered: a stolen access token
# alone must not be enough for it.
SENSITIVE_TYPES = frozenset({ConnectTokenType.PASSKEY_APPEND, ConnectTokenType.PASSKEY_DELETE})


class IssueConnectToken:
    """A Corbado connect token for the caller's own passkey operation."""

    def __init__(
        self,
        who_am_i: WhoAmI,
        corbado: CorbadoConnect,
        clock: Clock,
        policy: SessionPolicy,
        identifier_kind: IdentifierKind,
    ) -> None:
        self._who_am_i = who_am_i
        self._corbado = corbado
        self._clock = clock
        self._policy = policy
        self._identifier_kind = identifier_kind

    async def execute(self, principal: Principal, token_type: ConnectTokenType) -> str:
        """The token secret; `ReauthenticationRequired` for a stale login on sensitive types."""
        if token_type in SENSITIVE_TYPES:
            require_recent_authentication(principal, self._clock.now(), self._policy)
        user = await self._who_am_i.execute(principal.user_id)
        return await self._corbado.create_connect_token(
            token_type, identifier_of(user, self._identifier_kind), user.display_name
        )
