"""The one async engine of the process, tuned per backend.

An outage (the server down or restarting, the file unusable) surfaces from every store as
`DatabaseUnavailable`, a `StoreUnavailable` the HTTP layer answers with 503; the pool replaces
dead connections by itself, so the service recovers without a restart once the database is back.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from domain.errors import StoreUnavailable

# Long enough to outwait another writer's short transaction instead of failing with "locked".
_SQLITE_BUSY_TIMEOUT_MS = 5000

# Per worker process: every statement is short, so a few connections serve many requests, and
# WORKERS x (size + overflow) stays well under PostgreSQL's default max_connections of 100.
SERVER_POOL_SIZE = 5
SERVER_POOL_MAX_OVERFLOW = 5
# A request that cannot get a connection this soon fails rather than queueing behind a stall.
SERVER_POOL_TIMEOUT_S = 10.0
# Replace connections now and then, before a proxy or firewall silently drops an idle one.
SERVER_POOL_RECYCLE_S = 1800
_SERVER_CONNECT_TIMEOUT_S = 10


# What a statement or its data got wrong: bugs and constraint violations the stores handle (an
# IntegrityError is how a taken email is noticed), never an outage.
_NOT_AN_OUTAGE = (IntegrityError, DataError, ProgrammingError, NotSupportedError)


class DatabaseUnavailable(StoreUnavailable):
    """The database cannot be reached or cannot answer right now; retrying later may work."""


def create_engine(url: str) -> AsyncEngine:
    """An engine for `url` whose errors never show statement parameters (hashes stay out).

    SQLite (`sqlite+aiosqlite://`) gets its directory and per-connection pragmas; a server
    database (`postgresql+asyncpg://`) gets a bounded, pre-pinged connection pool.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per process: SQLite has one writer anyway, and a second connection of
        # ours would meet "database is locked" when two transactions upgrade to write at once.
        # No pre-ping: the connection is to a local file that cannot go stale the way a
        # server connection can, and the ping cost a second trip to the driver's thread per use.
        engine = create_async_engine(
            parsed,
            pool_pre_ping=False,
            hide_parameters=True,
            pool_size=1,
            max_overflow=0,
            pool_timeout=SERVER_POOL_TIMEOUT_S,
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        return _reporting_outages(engine)
    # asyncpg's own connect timeout is 60 s: too long to notice an unreachable database.
    connect_args = (
        {"timeout": _SERVER_CONNECT_TIMEOUT_S} if parsed.get_driver_name() == "asyncpg" else {}
    )
    engine = create_async_engine(
        parsed,
        pool_pre_ping=True,
        hide_parameters=True,
        pool_size=SERVER_POOL_SIZE,
        max_overflow=SERVER_POOL_MAX_OVERFLOW,
        pool_timeout=SERVER_POOL_TIMEOUT_S,
        pool_recycle=SERVER_POOL_RECYCLE_S,
        connect_args=connect_args,
    )
    return _reporting_outages(engine)


def _reporting_outages(engine: AsyncEngine) -> AsyncEngine:
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "handle_error", _outage)
    return engine


def _connect(
    dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any
) -> DBAPIConnection:
    # asyncpg reports a refused or timed-out connection as a plain OSError, which SQLAlchemy
    # passes through untranslated and without its error events.
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:
        raise DatabaseUnavailable("could not connect to the database") from exc


def _outage(context: ExceptionContext) -> None:
    if context.is_pre_ping:
        # The pool answers a failed ping itself: it throws the connection away and opens another.
        return
    error = context.sqlalchemy_exception
    if isinstance(error, DBAPIError) and not isinstance(error, _NOT_AN_OUTAGE):
        raise DatabaseUnavailable("the database did not answer") from error


def _configure_sqlite_connection(
    dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
) -> None:
    # SQLite leaves foreign keys off per connection; WAL lets readers run beside the one writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query (a readiness probe)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
