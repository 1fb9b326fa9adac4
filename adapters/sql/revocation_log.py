"""The RevocationLog port over SQL: reads of the `session_revocations` table.

`SqlSessions.revoke` and `SqlAccountErasure` append to it; nothing here writes.
"""

from sqlalchemy import Integer, bindparam, select

from adapters.sql.engine import Database
from adapters.sql.tables import session_revocations
from domain.model import Revocation

_REVOKED_SINCE = select(session_revocations.c.session_id).where(
    session_revocations.c.revoked_at >= bindparam("since")
)
_REVOCATIONS_AFTER = (
    select(session_revocations)
    .where(session_revocations.c.cursor > bindparam("cursor"))
    .order_by(session_revocations.c.cursor)
    .limit(bindparam("limit", type_=Integer))
)


class SqlRevocationLog:
    """The log of ended sessions, ordered by its autoincrement cursor."""

    def __init__(self, engine: Database) -> None:
        self._engine = engine

    async def revoked_since(self, since: int) -> list[str]:
        async with self._engine.connect() as connection:
            return list(await connection.scalars(_REVOKED_SINCE, {"since": since}))

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(_REVOCATIONS_AFTER, {"cursor": cursor, "limit": limit})
            ).all()
        return [Revocation(row.cursor, row.session_id, row.revoked_at) for row in rows]
