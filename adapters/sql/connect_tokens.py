"""The IssuedConnectTokens port over SQL."""

from sqlalchemy import bindparam, delete, insert, select

from adapters.sql.account_open import open_account_row
from adapters.sql.engine import Database, OneStatement
from adapters.sql.tables import connect_tokens, users
from domain.model import IssuedConnectToken

_RECORD_IF_ACCOUNT_OPEN = insert(connect_tokens).from_select(
    ["user_id", "token_id", "expires_at"],
    open_account_row(
        users.c.id,
        bindparam("token_id", type_=connect_tokens.c.token_id.type),
        bindparam("expires_at", type_=connect_tokens.c.expires_at.type),
    ),
)
_LIVE_FOR_USER = (
    select(connect_tokens.c.token_id)
    .where(
        connect_tokens.c.user_id == bindparam("user_id"),
        connect_tokens.c.expires_at > bindparam("now"),
    )
    .distinct()
    .order_by(connect_tokens.c.token_id)
)
_FORGET = delete(connect_tokens).where(
    connect_tokens.c.user_id == bindparam("user_id"),
    connect_tokens.c.token_id == bindparam("token_id"),
)


class SqlIssuedConnectTokens:
    """Issued connect tokens in the `connect_tokens` table; they go with their user."""

    def __init__(self, engine: Database) -> None:
        self._one_statement = OneStatement(engine)

    async def record(self, user_id: str, token: IssuedConnectToken, now: int) -> bool:
        async with self._one_statement.write() as connection:
            recorded = await connection.execute(
                _RECORD_IF_ACCOUNT_OPEN,
                {
                    "user_id": user_id,
                    "now": now,
                    "token_id": token.id,
                    "expires_at": token.expires_at,
                },
            )
        return recorded.rowcount == 1

    async def live_for(self, user_id: str, now: int) -> list[str]:
        async with self._one_statement.read() as connection:
            return list(await connection.scalars(_LIVE_FOR_USER, {"user_id": user_id, "now": now}))

    async def forget(self, user_id: str, token_id: str) -> None:
        async with self._one_statement.write() as connection:
            await connection.execute(_FORGET, {"user_id": user_id, "token_id": token_id})
