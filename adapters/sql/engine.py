"""The one async engine of the process, tuned per backend.

An outage (the server down or restarting, the file unusable) surfaces from every store as
`DatabaseUnavailable`, a `StoreUnavailable` the HTTP layer answers with 503; the pool replaces
dead connections by itself, so the service recovers without a restart once the database is back.
More load than the pool serves surfaces the same way, as `DatabaseBusy`, after a short wait for
a connection; the log says once when the pool starts refusing and once when it serves again.
"""

import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event, make_url, text
from sqlalchemy.engine import URL, Dialect, ExceptionContext
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, QueuePool

from adapters.incident_log import IncidentLog
from adapters.sql.idle_ping import ping_when_idle
from adapters.sql.loop_database import DatabaseLocked, LoopConnection, LoopDatabase
from domain.errors import StoreUnavailable

# SQLite runs on the event loop (`LoopDatabase`): a busy wait inside SQLite holds the whole
# worker, so it is kept to a few milliseconds; waiting for another process's write lock happens
# between asynchronous retries of BEGIN IMMEDIATE instead, for at most _SQLITE_WRITE_WAIT_S.
_SQLITE_BUSY_TIMEOUT_MS = 5
_SQLITE_WRITE_WAIT_S = 5.0

# Per worker process: every statement is short, so a few connections serve many requests, and
# WORKERS x (size + overflow) stays well under PostgreSQL's default max_connections of 100.
SERVER_POOL_SIZE = 5
SERVER_POOL_MAX_OVERFLOW = 5
# A request that cannot get a connection this soon is refused (`DatabaseBusy`, 503) rather than
# queueing behind a stall or a flood: well under the request deadline (REQUEST_TIMEOUT_S, 15 s),
# and far longer than a connection is held (a statement or a short transaction).
SERVER_POOL_TIMEOUT_S = 2.0
# SQLite's one connection is only ever taken inside `LoopDatabase`'s turn, on the loop's thread:
# were it ever taken twice at once, waiting could only freeze the worker (the holder cannot run
# to give it back), so the second is refused at once.
_SQLITE_POOL_TIMEOUT_S = 0.0
# Replace connections now and then, before a proxy or firewall silently drops an idle one.
SERVER_POOL_RECYCLE_S = 1800
_SERVER_CONNECT_TIMEOUT_S = 10


# What a statement or its data got wrong: bugs and constraint violations the stores handle (an
# IntegrityError is how a taken email is noticed), never an outage.
_NOT_AN_OUTAGE = (IntegrityError, DataError, ProgrammingError, NotSupportedError)


class DatabaseUnavailable(StoreUnavailable):
    """The database cannot be reached or cannot answer right now; retrying later may work."""


class DatabaseBusy(DatabaseUnavailable):
    """No pooled connection came free in time: more load than the pool serves; retry later."""


DATABASE_LOGGER = "connect_backend.database"

# What the stores are given: asyncpg under SQLAlchemy's asyncio engine, or SQLite on the loop.
Database = AsyncEngine | LoopDatabase

__all__ = [
    "Database",
    "DatabaseBusy",
    "DatabaseLocked",
    "DatabaseUnavailable",
    "OneStatement",
    "create_engine",
    "durable_transaction",
    "ping",
]


def create_engine(url: str | URL, *, timer: Callable[[], float] = time.monotonic) -> Database:
    """An engine for `url` whose errors never show statement parameters (hashes stay out).

    `url` as the settings parsed it (`make_url` leaves a `URL` as it is), or as text (tests,
    benchmarks).

    SQLite (`sqlite+aiosqlite://`, the interface's form, or `sqlite://`) runs on the standard
    library's sqlite3 on the event loop, with its directory and per-connection pragmas; a server
    database (`postgresql+asyncpg://`) gets a bounded connection pool whose connections are
    pinged when they come out of the pool after sitting idle (`idle_ping`). Either pool refuses
    a checkout it cannot serve in time with `DatabaseBusy`, its incidents logged on `timer`.
    """
    incidents = IncidentLog(
        logging.getLogger(DATABASE_LOGGER),
        failing="database connection pool exhausted, requests refused with 503",
        recovered="database connection pool serving again",
        timer=timer,
    )
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per process: SQLite has one writer anyway. No pre-ping: the connection
        # is to a local file that cannot go stale the way a server connection can.
        sqlite = create_sync_engine(
            parsed.set(drivername="sqlite+pysqlite"),
            poolclass=_refusing_pool(QueuePool, incidents),
            pool_pre_ping=False,
            hide_parameters=True,
            pool_size=1,
            max_overflow=0,
            pool_timeout=_SQLITE_POOL_TIMEOUT_S,
            connect_args={"check_same_thread": False},
        )
        event.listen(sqlite, "connect", _configure_sqlite_connection)
        event.listen(sqlite, "do_connect", _connect)
        event.listen(sqlite, "handle_error", _outage)
        return LoopDatabase(sqlite, _SQLITE_WRITE_WAIT_S)
    # asyncpg's own connect timeout is 60 s: too long to notice an unreachable database.
    connect_args = (
        {"timeout": _SERVER_CONNECT_TIMEOUT_S} if parsed.get_driver_name() == "asyncpg" else {}
    )
    engine = create_async_engine(
        parsed,
        poolclass=_refusing_pool(AsyncAdaptedQueuePool, incidents),
        pool_pre_ping=False,
        hide_parameters=True,
        pool_size=SERVER_POOL_SIZE,
        max_overflow=SERVER_POOL_MAX_OVERFLOW,
        pool_timeout=SERVER_POOL_TIMEOUT_S,
        pool_recycle=SERVER_POOL_RECYCLE_S,
        connect_args=connect_args,
    )
    ping_when_idle(engine.sync_engine)
    return _reporting_outages(engine)


def _refusing_pool(base: type[QueuePool], incidents: IncidentLog) -> type[QueuePool]:
    """`base`, refusing with `DatabaseBusy` when its timeout passes without a free connection.

    A class per engine, so that the pool `dispose` recreates (`self.__class__`) reports to the
    same incident log.
    """

    class RefusingPool(base):  # type: ignore[valid-type,misc]
        # SQLAlchemy names a pool's logger after its class: keep it under "sqlalchemy", whose
        # INFO lines (a pool disposed, recreated) stay off unless asked for.
        _sqla_logger_namespace = f"{base.__module__}.{base.__name__}"

        def _do_get(self) -> ConnectionPoolEntry:
            try:
                entry: ConnectionPoolEntry = super()._do_get()
            except PoolTimeout as error:
                incidents.failed(error)
                raise DatabaseBusy("no pooled database connection came free in time") from error
            incidents.answered()
            return entry

    return RefusingPool


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
    # The module's own transaction handling off: `LoopDatabase.begin` issues BEGIN IMMEDIATE
    # itself, so a write takes the lock at its start, where waiting for it can be asynchronous.
    dbapi_connection.isolation_level = None
    # SQLite leaves foreign keys off per connection; WAL lets readers run beside the one writer.
    # synchronous=NORMAL: a commit's fsync would hold the event loop (~5 ms here); writes that
    # must survive a power cut ask for FULL (`durable_transaction`, docs/decisions/0014).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def durable_transaction(
    engine: Database,
) -> AbstractAsyncContextManager[AsyncConnection | LoopConnection]:
    """`engine.begin()` for a write that must survive a power cut once it is answered.

    PostgreSQL commits every transaction durably; SQLite syncs its log for this one.
    """
    if isinstance(engine, LoopDatabase):
        return engine.begin(durable=True)
    return engine.begin()


class OneStatement:
    """Connections for work that is a single statement, which is then its own transaction.

    On PostgreSQL both are the engine's connections in autocommit (one engine option, the same
    pool): the statement alone goes to the server, without the BEGIN before it and the COMMIT
    or ROLLBACK after it that a transaction costs asyncpg, two round trips fewer. A statement
    is atomic on its own and holds its row locks (`FOR SHARE`, an UPDATE's) until it ends, so
    what a transaction around it guaranteed still holds. On SQLite a write still takes
    `begin()` (BEGIN IMMEDIATE: waiting for another process's write lock stays asynchronous),
    and a read `connect()`, which starts no transaction there.
    """

    __slots__ = ("read", "write")

    def __init__(self, engine: Database) -> None:
        self.read: Callable[[], AbstractAsyncContextManager[AsyncConnection | LoopConnection]]
        self.write: Callable[[], AbstractAsyncContextManager[AsyncConnection | LoopConnection]]
        if isinstance(engine, LoopDatabase):
            self.read, self.write = engine.connect, engine.begin
        else:
            autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
            self.read = self.write = autocommit.connect


async def ping(engine: Database) -> None:
    """Raise unless the database answers a trivial query (a readiness probe)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
