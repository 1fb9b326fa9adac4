"""SQLite on the event loop: waiting for another process's write lock never holds the loop."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text

from adapters.sql.engine import DatabaseUnavailable, create_engine
from adapters.sql.loop_database import DatabaseLocked, LoopDatabase
from domain.errors import StoreUnavailable

COUNT = text("SELECT count(*) FROM t")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "db.sqlite3"


@pytest.fixture
async def database(path: Path) -> AsyncIterator[LoopDatabase]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    assert isinstance(engine, LoopDatabase)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def other_process(path: Path) -> Iterator[sqlite3.Connection]:
    """Another client of the file (a `migrate` or `purge` run), holding the write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")  # as `migrate` left it
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.close()


def begin_attempts_seen(database: LoopDatabase, wanted: int) -> asyncio.Event:
    """Set once BEGIN IMMEDIATE was tried `wanted` times."""
    seen, attempts = asyncio.Event(), [0]

    def note(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        if statement == "BEGIN IMMEDIATE":
            attempts[0] += 1
            if attempts[0] >= wanted:
                seen.set()

    event.listen(database.sync_engine, "before_cursor_execute", note)
    return seen


async def test_a_write_waits_for_the_lock_while_the_loop_runs_on(
    database: LoopDatabase, other_process: sqlite3.Connection
) -> None:
    refused_twice = begin_attempts_seen(database, 3)

    async def write() -> None:
        async with database.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (1)"))

    writer = asyncio.create_task(write())
    # This task runs while the writer waits, so the loop is free; it lets go after the writer
    # was refused at least twice (its third try started).
    await refused_twice.wait()
    assert not writer.done()
    other_process.execute("COMMIT")
    await writer

    async with database.connect() as connection:
        assert await connection.scalar(COUNT) == 1


async def test_a_lock_held_too_long_is_a_clear_unavailable_error(
    path: Path, other_process: sqlite3.Connection
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    assert isinstance(engine, LoopDatabase)
    impatient = LoopDatabase(engine.sync_engine, write_wait_s=0.0)
    try:
        with pytest.raises(DatabaseLocked, match="locked by another process") as raised:
            async with impatient.begin():
                pytest.fail("the transaction must not start")
    finally:
        await engine.dispose()
    assert isinstance(raised.value, StoreUnavailable)
    assert isinstance(raised.value.__cause__, DatabaseUnavailable)


async def test_reads_go_on_while_another_process_holds_the_write_lock(
    database: LoopDatabase, other_process: sqlite3.Connection
) -> None:
    other_process.execute("INSERT INTO t VALUES (7)")  # not committed: invisible to readers
    async with database.connect() as connection:
        assert await connection.scalar(COUNT) == 0


async def test_reads_of_this_process_go_on_while_its_writer_waits_for_the_lock(
    database: LoopDatabase, other_process: sqlite3.Connection
) -> None:
    # A writer that held the connection while it waited would give up after this long,
    # and the read below would only then go on (with the writer done, refused).
    database = LoopDatabase(database.sync_engine, write_wait_s=2.0)
    refused = begin_attempts_seen(database, 1)

    async def write() -> None:
        async with database.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (1)"))

    writer = asyncio.create_task(write())
    try:
        await refused.wait()
        async with database.connect() as connection:
            assert await connection.scalar(COUNT) == 0
        assert not writer.done()
        other_process.execute("COMMIT")
        await writer
    finally:
        writer.cancel()
    async with database.connect() as connection:
        assert await connection.scalar(COUNT) == 1


async def failing_insert(database: LoopDatabase) -> None:
    async with database.begin() as connection:
        await connection.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("the use case failed")


async def test_a_failed_transaction_is_rolled_back(database: LoopDatabase) -> None:
    with pytest.raises(RuntimeError):
        await failing_insert(database)
    async with database.connect() as connection:
        assert await connection.scalar(COUNT) == 0


async def test_blocks_take_turns_on_the_one_connection(database: LoopDatabase) -> None:
    order: list[str] = []

    async def hold() -> None:
        async with database.begin() as connection:
            await connection.execute(text("INSERT INTO t VALUES (1)"))
            order.append("first in")
            await asyncio.sleep(0)  # awaits something else inside the transaction
            await asyncio.sleep(0)
            order.append("first out")

    async def read() -> None:
        async with database.connect() as connection:
            count = await connection.scalar(COUNT)
            order.append(f"read {count}")

    await asyncio.gather(hold(), read())
    assert order == ["first in", "first out", "read 1"]
