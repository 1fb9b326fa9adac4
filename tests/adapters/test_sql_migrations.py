"""The Alembic revisions build exactly the schema `adapters.sql.tables` describes.

Each test runs on SQLite and on PostgreSQL (a fresh schema of the session's throwaway server).
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, delete, inspect, select, text

import adapters.sql.migrate
from adapters.sql.engine import Database, create_engine
from adapters.sql.migrate import (
    MIGRATION_LOCK_KEY,
    MigrationBlocked,
    is_current,
    upgrade_to_head,
)
from adapters.sql.sessions import SqlSessions
from adapters.sql.tables import metadata, sessions, users
from adapters.sql.users import SqlUsers
from domain.credentials import refresh_token_hash
from domain.model import PASSKEY_AMR, Session, User
from domain.refresh_chain import RefreshChain
from tests.support.servers import postgres_schema


@asynccontextmanager
async def _database_url(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if backend == "sqlite":
        tmp_path: Path = request.getfixturevalue("tmp_path")
        yield f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with _database_url(request.param, request) as url:
        engine = create_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()


def _schema_differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _config(connection: Connection) -> Config:
    config = Config()
    migrations = Path(adapters.sql.migrate.__file__).parent / "migrations"
    config.set_main_option("script_location", str(migrations))
    config.attributes["connection"] = connection
    return config


def _downgrade_to_base(connection: Connection) -> None:
    command.downgrade(_config(connection), "base")


async def upgrade_to(engine: Database, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_config(sync), revision))


async def applied_revisions(engine: Database) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )


async def insert_users(engine: Database, emails: dict[str, str]) -> None:
    """Rows as an older release stored them, spelled as given."""
    async with engine.begin() as connection:
        for position, (user_id, email) in enumerate(emails.items()):
            values = {"id": user_id, "email": email, "display_name": user_id}
            await connection.execute(sa.insert(users).values(**values, created_at=position))


async def stored_emails(engine: Database) -> dict[str, str]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(users.c.id, users.c.email))).all()
    return {row.id: row.email for row in rows}


async def test_the_migrated_schema_matches_the_tables(engine: Database) -> None:
    await upgrade_to_head(engine)

    async with engine.connect() as connection:
        assert await connection.run_sync(_schema_differences) == []


async def test_an_empty_database_is_not_current_and_a_migrated_one_is(
    engine: Database,
) -> None:
    assert await is_current(engine) is False

    await upgrade_to_head(engine)

    assert await is_current(engine) is True


async def test_upgrading_a_current_database_changes_nothing(engine: Database) -> None:
    await upgrade_to_head(engine)
    await SqlUsers(engine).add(User("u1", "ada@example.com", "Ada", None, 0))

    await upgrade_to_head(engine)

    assert await SqlUsers(engine).by_id("u1") is not None
    assert await is_current(engine) is True


async def test_downgrading_to_base_removes_every_table(engine: Database) -> None:
    await upgrade_to_head(engine)

    async with engine.begin() as connection:
        await connection.run_sync(_downgrade_to_base)
        assert await connection.run_sync(_table_names) == {"alembic_version"}


async def test_deleting_a_user_deletes_its_sessions(engine: Database) -> None:
    await upgrade_to_head(engine)
    await SqlUsers(engine).add(User("u1", "ada@example.com", "Ada", None, 0))
    chain = RefreshChain(0, "h1", None, 0, None)
    await SqlSessions(engine).create(Session("s1", "u1", 0, PASSKEY_AMR, 0, 0, 60), "c1", chain)

    async with engine.begin() as connection:
        await connection.execute(delete(users))
        assert (await connection.execute(select(sessions))).all() == []


_LEGACY_SESSIONS = sa.table(
    "sessions",
    *(
        sa.column(name)
        for name in ("id", "user_id", "auth_time", "amr", "created_at", "last_used_at")
    ),
    sa.column("expires_at"),
)
_LEGACY_TOKENS = sa.table(
    "refresh_tokens",
    *(sa.column(name) for name in ("token_hash", "session_id", "issued_at", "rotated_at")),
    sa.column("reissued_at"),
)


async def _sessions_from_before_chains(engine: Database) -> None:
    """At 0005: s1 rotated once (t0 away, t1 current); s2 forked by the old grace reissue (t2
    rotated into t3, reissued as t4); s3 never refreshed (t5)."""
    await upgrade_to(engine, "0005")
    await SqlUsers(engine).add(User("u1", "ada@example.com", "Ada", None, 0))
    async with engine.begin() as connection:
        await connection.execute(
            sa.insert(_LEGACY_SESSIONS),
            [
                {
                    "id": sid,
                    "user_id": "u1",
                    "auth_time": 0,
                    "amr": '["pwd"]',
                    "created_at": 0,
                    "last_used_at": 7,
                    "expires_at": 10**10,
                }
                for sid in ("s1", "s2", "s3")
            ],
        )
        await connection.execute(
            sa.insert(_LEGACY_TOKENS),
            [
                {
                    "token_hash": refresh_token_hash(token),
                    "session_id": sid,
                    "issued_at": at,
                    "rotated_at": rotated,
                    "reissued_at": None,
                }
                for token, sid, at, rotated in (
                    ("t0", "s1", 0, 5),
                    ("t1", "s1", 5, None),
                    ("t2", "s2", 0, 6),
                    ("t3", "s2", 6, None),
                    ("t4", "s2", 7, None),
                    ("t5", "s3", 0, None),
                )
            ],
        )


async def test_0006_keeps_each_sessions_last_token_working(engine: Database) -> None:
    await _sessions_from_before_chains(engine)

    await upgrade_to_head(engine)

    store = SqlSessions(engine)
    found = {
        token: await store.find_legacy(refresh_token_hash(token))
        for token in ("t0", "t1", "t2", "t3", "t4", "t5")
    }
    assert {token: record.session.id for token, record in found.items() if record} == {
        "t1": "s1",
        "t4": "s2",
        "t5": "s3",
    }
    record = found["t1"]
    assert record is not None
    assert record.chain == RefreshChain(0, refresh_token_hash("t1"), None, 7, None)
    async with engine.connect() as connection:
        assert "refresh_tokens" not in await connection.run_sync(_table_names)
        assert await connection.run_sync(_schema_differences) == []


async def test_0006_downgrades_giving_never_refreshed_sessions_their_token_back(
    engine: Database,
) -> None:
    await _sessions_from_before_chains(engine)
    await upgrade_to_head(engine)
    store = SqlSessions(engine)
    record = await store.find_legacy(refresh_token_hash("t1"))
    assert record is not None
    await store.advance("s1", 0, "chain-of-s1", RefreshChain(1, "h", "p", 9, "k"))

    await upgrade_to(engine, "0006")
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_config(sync), "0005"))
        kept = (await connection.execute(select(_LEGACY_TOKENS.c.token_hash))).scalars().all()
    assert sorted(kept) == sorted(refresh_token_hash(token) for token in ("t4", "t5"))


async def test_0004_stores_every_email_as_its_canonical_caseless_key(
    engine: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "connect_backend.migrate")
    await upgrade_to(engine, "0003")
    await insert_users(
        engine,
        {
            "u1": "jose\u0301@x.example",
            "u2": "STRASSE@x.example",
            "u3": "jane@xn--bcher-kva.example",
            "u4": "i\u0307stanbul@x.example",
            "u5": "ada@example.com",
        },
    )

    await upgrade_to_head(engine)

    assert await stored_emails(engine) == {
        "u1": "jos\u00e9@x.example",
        "u2": "strasse@x.example",
        "u3": "jane@b\u00fccher.example",
        "u4": "i\u0307stanbul@x.example",
        "u5": "ada@example.com",
    }
    assert await SqlUsers(engine).by_email("jos\u00e9@x.example") is not None
    assert await is_current(engine) is True
    assert "3 stored emails became their key; user ids: ['u1', 'u2', 'u3']" in caplog.text


async def test_0004_stops_on_two_users_with_one_address_and_changes_nothing(
    engine: Database,
) -> None:
    await upgrade_to(engine, "0003")
    before = {
        "ada": "Ada@Example.com",
        "nfc": "jos\u00e9@x.example",
        "nfd": "JOSE\u0301@x.example",
    }
    await insert_users(engine, before)

    with pytest.raises(MigrationBlocked) as blocked:
        await upgrade_to_head(engine)

    message = str(blocked.value)
    assert "\n" not in message
    assert "nfc ('jos\\xe9@x.example')" in message
    assert "nfd ('JOSE\\u0301@x.example')" in message
    assert "ada" not in message
    assert await applied_revisions(engine) == {"0003"}
    assert await stored_emails(engine) == before


async def test_0004_stops_on_an_email_whose_key_would_not_fit(engine: Database) -> None:
    await upgrade_to(engine, "0003")
    before = {"u0": "Ada@Example.com", "u1": "\u00df" * 124 + "@x.example"}
    await insert_users(engine, before)

    with pytest.raises(MigrationBlocked, match="user u1 has the email"):
        await upgrade_to_head(engine)

    assert await applied_revisions(engine) == {"0003"}
    assert await stored_emails(engine) == before


async def _advisory_waiters(engine: Database) -> int:
    async with engine.connect() as connection:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return int((await connection.execute(text(query))).scalar_one())


async def test_concurrent_migrations_on_postgres_wait_for_each_other(postgres_url: str) -> None:
    async with postgres_schema(postgres_url) as url:
        engines = [create_engine(url) for _ in range(3)]
        holder, runners = engines[0], engines[1:]
        try:
            async with holder.connect() as held:
                # Another `migrate` in the middle of its work, as far as the lock is concerned.
                await held.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
                runs = [asyncio.create_task(upgrade_to_head(engine)) for engine in runners]
                for _ in range(600):
                    if await _advisory_waiters(holder) == len(runs):
                        break
                    await asyncio.sleep(0.05)
                assert await _advisory_waiters(holder) == len(runs)
                assert not any(run.done() for run in runs)
                await held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                await asyncio.gather(*runs)
            assert await is_current(holder) is True
        finally:
            for engine in engines:
                await engine.dispose()
