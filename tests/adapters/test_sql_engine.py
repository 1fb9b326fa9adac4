"""The engine: SQLite connection settings, readiness and what its errors reveal."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from adapters.sql.engine import create_engine, ping
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.users import SqlUsers
from domain.model import User


async def test_sqlite_gets_its_directory_and_connection_settings(tmp_path: Path) -> None:
    path = tmp_path / "state" / "nested" / "db.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            settings = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            ]
    finally:
        await engine.dispose()

    assert path.is_file()
    assert settings == [1, "wal", 5000]


async def test_ping_passes_on_a_reachable_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        await ping(engine)
    finally:
        await engine.dispose()


async def test_ping_raises_when_the_database_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"not an SQLite database" * 100)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        with pytest.raises(DatabaseError):
            await ping(engine)
    finally:
        await engine.dispose()


async def test_a_clashing_user_id_fails_without_revealing_the_row(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        await upgrade_to_head(engine)
        users = SqlUsers(engine)
        await users.add(User("u1", "ada@example.com", "Ada", "first-secret-hash", 0))

        with pytest.raises(IntegrityError) as raised:
            await users.add(User("u1", "grace@example.com", "Grace", "second-secret-hash", 0))
    finally:
        await engine.dispose()

    assert "secret-hash" not in str(raised.value)
