"""SQLAlchemy's sync Core on the standard library's sqlite3, run on the event loop itself.

Every SQLite call is a local file operation of a few microseconds; aiosqlite sent each one to a
thread and back (two loop wake-ups and a greenlet switch per statement, ~2 ms per login on the
benchmark core). `LoopDatabase` offers the slice of `AsyncEngine` the stores use (`begin`,
`connect`, `execute`, `scalars`, `run_sync`, `dispose`) over a plain `Engine`, so SQLAlchemy's
events, statement compilation and error translation stay as they are on every backend.

The loop is never held for long: a write transaction starts with `BEGIN IMMEDIATE` under a
short busy timeout, and while another process (`migrate`, `purge`, another worker) holds the
write lock it is tried again after an *asynchronous* back-off, until `write_wait_s` has passed;
then the caller gets `DatabaseLocked` (a `DatabaseUnavailable`, answered with 503). What a
commit costs on the loop is set by its durability (`begin(durable=...)`, docs/decisions/0014).
"""

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, CursorResult, Engine, Executable, ScalarResult

from domain.errors import StoreUnavailable

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None

# The first retry comes soon (a short purge batch or another worker's commit), later ones
# further apart so that a long `migrate` is not polled hundreds of times a second.
_FIRST_BACKOFF_S = 0.002
_MAX_BACKOFF_S = 0.05


class DatabaseLocked(StoreUnavailable):
    """Another process held SQLite's write lock for longer than a request may wait."""


class LoopConnection:
    """One checked-out connection; every call runs at once, on the loop's own thread."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def sync_connection(self) -> Connection:
        return self._connection

    async def execute(
        self, statement: Executable, parameters: _Parameters = None
    ) -> CursorResult[Any]:
        return self._connection.execute(statement, parameters)

    async def scalars(
        self, statement: Executable, parameters: _Parameters = None
    ) -> ScalarResult[Any]:
        return self._connection.scalars(statement, parameters)

    async def scalar(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Any:
        return self._connection.scalar(statement, parameters)

    async def run_sync(
        self, fn: Callable[Concatenate[Connection, _P], _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        return fn(self._connection, *args, **kwargs)


class LoopDatabase:
    """An `AsyncEngine` look-alike over a sync SQLite `Engine` (one connection per process).

    One transaction or read block at a time: a block that awaits something else keeps the
    connection, and the next caller waits for it on an `asyncio.Lock` instead of blocking the
    loop in the pool. A writer waiting for another process's lock gives the turn back between
    tries.
    """

    def __init__(self, engine: Engine, write_wait_s: float) -> None:
        self.sync_engine = engine
        self.dialect = engine.dialect
        self.url = engine.url
        self._write_wait_s = write_wait_s
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[LoopConnection]:
        """A connection whose statements each commit on their own (reads, in practice)."""
        # One loop turn per block, as a driver's I/O would give: a task that only talks to
        # the database (a retry loop, say) cannot starve the others.
        await asyncio.sleep(0)
        async with self._turn:
            with self.sync_engine.connect() as connection:
                yield LoopConnection(connection)

    @asynccontextmanager
    async def begin(self, *, durable: bool = False) -> AsyncIterator[LoopConnection]:
        """A write transaction holding SQLite's write lock from its start; commits on success.

        The connection runs at synchronous=NORMAL: a commit survives the process but not a
        power cut until the next checkpoint or durable commit. `durable` commits at FULL (the
        write-ahead log is synced before the commit returns, and with it every earlier commit),
        for what must never come undone: revocations, deletions, password changes.
        """
        deadline = time.monotonic() + self._write_wait_s
        backoff = _FIRST_BACKOFF_S
        while True:
            await asyncio.sleep(0)
            async with self._turn:
                with self.sync_engine.connect() as connection:
                    if durable:
                        connection.exec_driver_sql("PRAGMA synchronous=FULL")
                    try:
                        last_try = time.monotonic() + backoff > deadline
                        if self._begin_immediate(connection, last_try):
                            try:
                                yield LoopConnection(connection)
                            except BaseException:
                                connection.rollback()
                                raise
                            connection.commit()
                            return
                    finally:
                        if durable:
                            connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            # The back-off is spent without the turn, so reads and other blocks of this
            # process go on while another process holds the write lock.
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF_S)

    async def dispose(self) -> None:
        self.sync_engine.dispose()

    def _begin_immediate(self, connection: Connection, last_try: bool) -> bool:
        """Start the write transaction; False when another process holds the lock for now."""
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return True
        except StoreUnavailable as error:
            connection.rollback()
            if not _is_busy(error):
                raise
            if last_try:
                raise DatabaseLocked(
                    "the SQLite database stayed locked by another process (a migrate or"
                    f" purge?) for {self._write_wait_s} s; try again later"
                ) from error
            return False


def _is_busy(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, sqlite3.OperationalError):
            return cause.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
        cause = cause.__cause__ or getattr(cause, "orig", None)
    return False
