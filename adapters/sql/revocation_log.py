"""The RevocationLog port over SQL: reads of the `session_revocations` table.

`SqlSessions.revoke` and `SqlAccountErasure` append to it; nothing here writes.
"""

from sqlalchemy import Integer, bindparam, func, select

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

_revocations = session_revocations.c
# The lowest cursor among the entries revoked since, found through `revoked_at`'s index (the
# entries of one access-token lifetime); else the highest cursor, the primary key's last. The
# `+ 0` keeps SQLite and PostgreSQL from answering that min() by walking the primary key from
# its first entry instead, which reads every older entry the purge has not removed yet.
_CURSOR_BEFORE = select(
    func.coalesce(
        select(func.min(_revocations.cursor + 0))
        .where(_revocations.revoked_at >= bindparam("since"))
        .scalar_subquery()
        - 1,
        select(func.max(_revocations.cursor)).scalar_subquery(),
        0,
    )
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

    async def cursor_before(self, since: int) -> int:
        async with self._engine.connect() as connection:
            cursor: int = (await connection.execute(_CURSOR_BEFORE, {"since": since})).scalar_one()
        return cursor
