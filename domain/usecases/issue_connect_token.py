from domain.identifiers import identifier_of
from domain.model import ConnectTokenType, IdentifierKind
from domain.ports import CorbadoConnect
from domain.usecases.who_am_i import WhoAmI


class IssueConnectToken:
    """A Corbado connect token for the caller's own passkey operation."""

    def __init__(
        self, who_am_i: WhoAmI, corbado: CorbadoConnect, identifier_kind: IdentifierKind
    ) -> None:
        self._who_am_i = who_am_i
        self._corbado = corbado
        self._identifier_kind = identifier_kind

    async def execute(self, user_id: str, token_type: ConnectTokenType) -> str:
        """The token secret for the frontend; raises a `CorbadoError` when Corbado fails."""
        user = await self._who_am_i.execute(user_id)
        return await self._corbado.create_connect_token(
            token_type, identifier_of(user, self._identifier_kind), user.display_name
        )
