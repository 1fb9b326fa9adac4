"""What only the SQL Retention can get wrong: cascades, row locks and several purgers at once,
on SQLite and PostgreSQL.

A purger is what one server process holds: its own engine (its own connection pool).
"""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import ColumnElement, Table, func, insert, select, update

from adapters.sql.engine import Database, create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.retention import SQLITE_BATCH_SIZE, SqlRetention, purge_batch_size
from adapters.sql.sessions import SqlSessions
from adapters.sql.tables import metadata, session_revocations, sessions, users
from domain.credentials import new_id
from domain.model import PASSWORD_AMR, Session
from domain.policy import SessionPolicy
from domain.usecases.purge_expired import BATCH_SIZE, PurgeExpired
from tests.contracts.test_sessions_contract import a_chain, a_hash
from tests.fakes.fake_clock import FakeClock
from tests.support.servers import postgres_schema

NOW = 1_800_000_000
POLICY = SessionPolicy()
LOCK_TIMEOUT_S = 30
PURGERS = 4
IDLE, LIVE, OLD_REVOCATIONS = 1_500, 300, 700


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database at the current schema."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
        await _migrate(url)
        yield url
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        await _migrate(url)
        yield url


@pytest.fixture
async def postgres_database_url(postgres_url: str) -> AsyncIterator[str]:
    async with postgres_schema(postgres_url) as url:
        await _migrate(url)
        yield url


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def a_user(engine: Database) -> str:
    user_id = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(users),
            {
                "id": user_id,
                "email": f"{user_id}@example.com",
                "display_name": "Ada",
                "created_at": 0,
            },
        )
    return user_id


def a_row(user_id: str, *, last_used_at: int, expires_at: int) -> dict[str, object]:
    return {
        "id": new_id(),
        "user_id": user_id,
        "auth_time": 0,
        "amr": json.dumps(PASSWORD_AMR),
        "created_at": 0,
        "last_used_at": last_used_at,
        "expires_at": expires_at,
        "revoked_at": None,
        "user_agent": None,
        "credential_id": None,
        "corbado_user_id": None,
    }


async def count(engine: Database, table: Table, *where: ColumnElement[bool]) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).select_from(table).where(*where)
        return int((await connection.execute(query)).scalar_one())


async def test_a_removed_session_takes_its_refresh_chain_and_everything_referring_to_it(
    database_url: str,
) -> None:
    # Every table with a foreign key to sessions, so a table added later is covered too.
    referring = [
        fk.parent
        for table in metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column is sessions.c.id
    ]
    engine = create_engine(database_url)
    try:
        session = Session(
            id=new_id(),
            user_id=await a_user(engine),
            auth_time=0,
            amr=PASSWORD_AMR,
            created_at=0,
            last_used_at=0,
            expires_at=1,
        )
        chain_id_hash = a_hash()
        assert await SqlSessions(engine).create(session, chain_id_hash, a_chain())
        before = [await count(engine, column.table, column == session.id) for column in referring]
        assert all(before), before

        assert await SqlRetention(engine).delete_expired_sessions(NOW, 100) == 1

        # The refresh chain is part of the session's row; anything else goes by cascade.
        assert await SqlSessions(engine).find_chain(chain_id_hash) is None
        after = [await count(engine, column.table, column == session.id) for column in referring]
        assert after == [0] * len(referring)
    finally:
        await engine.dispose()


async def test_a_session_a_transaction_holds_is_skipped_and_its_change_survives(
    postgres_database_url: str,
) -> None:
    """A refresh touching its session holds the row: the purge neither waits nor deletes it."""
    purger, traffic = create_engine(postgres_database_url), create_engine(postgres_database_url)
    try:
        user_id = await a_user(traffic)
        held, idle = (
            a_row(user_id, last_used_at=0, expires_at=NOW * 2),
            a_row(user_id, last_used_at=0, expires_at=NOW * 2),
        )
        async with traffic.begin() as connection:
            await connection.execute(insert(sessions), [held, idle])
        retention = SqlRetention(purger)

        async with traffic.begin() as connection:
            await connection.execute(
                update(sessions).where(sessions.c.id == held["id"]).values(last_used_at=NOW)
            )
            async with asyncio.timeout(LOCK_TIMEOUT_S):
                assert await retention.delete_idle_sessions(NOW - 1, 100) == 1

        assert await retention.delete_idle_sessions(NOW - 1, 100) == 0
        async with traffic.connect() as connection:
            [(used,)] = (
                await connection.execute(
                    select(sessions.c.last_used_at).where(sessions.c.id == held["id"])
                )
            ).all()
        assert used == NOW
    finally:
        await purger.dispose()
        await traffic.dispose()


async def test_purgers_running_at_once_remove_each_row_once(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(PURGERS)]
    try:
        user_id = await a_user(engines[0])
        rows = [a_row(user_id, last_used_at=0, expires_at=NOW * 2) for _ in range(IDLE)]
        rows += [a_row(user_id, last_used_at=NOW, expires_at=NOW * 2) for _ in range(LIVE)]
        async with engines[0].begin() as connection:
            await connection.execute(insert(sessions), rows)
            await connection.execute(
                insert(session_revocations),
                [{"session_id": new_id(), "revoked_at": 0} for _ in range(OLD_REVOCATIONS)],
            )
        clock = FakeClock(NOW)

        runs = await asyncio.gather(
            *(
                PurgeExpired(SqlRetention(engine), clock, POLICY, batch_size=50).execute()
                for engine in engines
            )
        )

        assert sum(run.idle_sessions for run in runs) == IDLE
        assert sum(run.revocations for run in runs) == OLD_REVOCATIONS - 1
        assert sum(run.total for run in runs) == IDLE + OLD_REVOCATIONS - 1
        assert await count(engines[0], sessions) == LIVE
        assert await count(engines[0], session_revocations) == 1
    finally:
        for engine in engines:
            await engine.dispose()


async def test_sqlite_purges_in_smaller_batches(database_url: str) -> None:
    """Its one connection per process waits for a whole batch; PostgreSQL has others."""
    engine = create_engine(database_url)
    try:
        expected = SQLITE_BATCH_SIZE if database_url.startswith("sqlite") else BATCH_SIZE
        assert purge_batch_size(engine) == expected
        assert SQLITE_BATCH_SIZE < BATCH_SIZE
    finally:
        await engine.dispose()
