"""The Retention port over SQL: bounded, idempotent deletes that race nothing.

Each call is one statement in its own transaction:

    DELETE FROM t WHERE pk IN (SELECT pk FROM t WHERE <cond> LIMIT :limit
                               FOR UPDATE SKIP LOCKED) AND <cond>

The inner select picks at most one batch of primary keys. On PostgreSQL it locks them and skips
rows another transaction holds (a refresh touching its session, another purger's batch), so
concurrent purgers take disjoint batches and never wait for or deadlock with each other or with
the traffic. The condition is repeated outside: a row changed between the pick and the delete is
judged again as it is now (PostgreSQL re-evaluates the outer WHERE on the newest row version),
so a session used meanwhile is not lost. SQLite runs the statement under its one write lock, so
nothing interleaves there; it ignores FOR UPDATE.

Refresh tokens go with their session by ON DELETE CASCADE (SQLite enforces it only with
`PRAGMA foreign_keys=ON`, which `engine.create_engine` sets on every connection).
"""

from sqlalchemy import ColumnElement, Delete, Integer, Table, bindparam, delete, func, select

from adapters.sql.engine import Database
from adapters.sql.tables import connect_tokens, session_revocations, sessions
from domain.usecases.purge_expired import BATCH_SIZE

# SQLite: a process has one connection, so a batch holds up every request behind it, and each
# commit costs an fsync. At 1000 rows a batch took about 26 ms and let some 4 refreshes through
# between batches: refresh throughput halved during a purge. At 200, 14 ms a batch, throughput
# held and p99 rose by a third (bench/purge_soak.py). PostgreSQL keeps serving requests on its
# other connections; there 1000 rows a batch cost the least (the default).
SQLITE_BATCH_SIZE = 200

_BEFORE = "before"
_LIMIT = "limit"


def _batch_delete(table: Table, condition: ColumnElement[bool]) -> Delete:
    """One batch of `table`'s rows meeting `condition` (its bound parameter `before`)."""
    [key] = table.primary_key.columns
    chosen = (
        select(key)
        .where(condition)
        .limit(bindparam(_LIMIT, type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return delete(table).where(key.in_(chosen), condition)


def _before(column: ColumnElement[int]) -> ColumnElement[bool]:
    return column < bindparam(_BEFORE, type_=column.type)


_newest_entry = session_revocations.alias("newest_entry")

_DELETE_EXPIRED_SESSIONS = _batch_delete(sessions, _before(sessions.c.expires_at))
# A NULL revoked_at (a live session) is never before anything.
_DELETE_REVOKED_SESSIONS = _batch_delete(sessions, _before(sessions.c.revoked_at))
_DELETE_IDLE_SESSIONS = _batch_delete(sessions, _before(sessions.c.last_used_at))
# Never the entry with the highest cursor: SQLite hands out max(cursor) + 1 next, so removing it
# would hand an old cursor out again and a feed client holding it would skip the new entry.
_DELETE_REVOCATIONS = _batch_delete(
    session_revocations,
    _before(session_revocations.c.revoked_at)
    & (session_revocations.c.cursor < select(func.max(_newest_entry.c.cursor)).scalar_subquery()),
)
_DELETE_CONNECT_TOKENS = _batch_delete(connect_tokens, _before(connect_tokens.c.expires_at))


def purge_batch_size(engine: Database) -> int:
    """Rows per purge batch that suit `engine`'s database."""
    return SQLITE_BATCH_SIZE if engine.dialect.name == "sqlite" else BATCH_SIZE


class SqlRetention:
    """Deletes ended sessions, old revocation entries and expired connect-token records."""

    def __init__(self, engine: Database) -> None:
        self._engine = engine

    async def delete_expired_sessions(self, expired_before: int, limit: int) -> int:
        return await self._delete(_DELETE_EXPIRED_SESSIONS, expired_before, limit)

    async def delete_revoked_sessions(self, revoked_before: int, limit: int) -> int:
        return await self._delete(_DELETE_REVOKED_SESSIONS, revoked_before, limit)

    async def delete_idle_sessions(self, used_before: int, limit: int) -> int:
        return await self._delete(_DELETE_IDLE_SESSIONS, used_before, limit)

    async def delete_revocations(self, revoked_before: int, limit: int) -> int:
        return await self._delete(_DELETE_REVOCATIONS, revoked_before, limit)

    async def delete_connect_tokens(self, expired_before: int, limit: int) -> int:
        return await self._delete(_DELETE_CONNECT_TOKENS, expired_before, limit)

    async def _delete(self, statement: Delete, before: int, limit: int) -> int:
        async with self._engine.begin() as connection:
            deleted = await connection.execute(statement, {_BEFORE: before, _LIMIT: limit})
        return deleted.rowcount
