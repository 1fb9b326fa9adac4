"""The engine: SQLite connection settings, the PostgreSQL pool, readiness and what errors reveal."""

import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from adapters.sql import engine as engine_module
from adapters.sql import idle_ping
from adapters.sql.engine import (
    DATABASE_LOGGER,
    SERVER_POOL_SIZE,
    SERVER_POOL_TIMEOUT_S,
    Database,
    DatabaseBusy,
    DatabaseUnavailable,
    create_engine,
    durable_transaction,
    ping,
)
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.users import SqlUsers
from domain.model import User
from tests.support.servers import LOOPBACK, free_port, postgres_schema


async def test_sqlite_gets_its_directory_and_connection_settings(tmp_path: Path) -> None:
    path = tmp_path / "state" / "nested" / "db.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            settings = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
            ]
    finally:
        await engine.dispose()

    assert path.is_file()
    # synchronous=1 is NORMAL; the busy wait is short because SQLite runs on the event loop.
    assert settings == [1, "wal", 1, 5]


async def test_a_durable_transaction_commits_at_full_synchronous(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    synchronous = text("PRAGMA synchronous")
    try:
        async with durable_transaction(engine) as connection:
            inside = (await connection.execute(synchronous)).scalar_one()
        async with engine.begin() as connection:
            plain = (await connection.execute(synchronous)).scalar_one()
    finally:
        await engine.dispose()
    assert (inside, plain) == (2, 1)


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
        with pytest.raises(DatabaseUnavailable) as raised:
            await ping(engine)
    finally:
        await engine.dispose()
    assert "file is not a database" in str(raised.value.__cause__)


async def clashing_insert_error(url: str) -> str:
    """The text of the error a duplicate user id raises, on the database at `url`."""
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        users = SqlUsers(engine)
        await users.add(User("u1", "ada@example.com", "Ada", "first-secret-hash", 0))
        with pytest.raises(IntegrityError) as raised:
            await users.add(User("u1", "grace@example.com", "Grace", "second-secret-hash", 0))
    finally:
        await engine.dispose()
    return str(raised.value)


async def test_a_clashing_user_id_fails_without_revealing_the_row(tmp_path: Path) -> None:
    error = await clashing_insert_error(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert "secret-hash" not in error


async def test_postgresql_gets_a_bounded_pool(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        await ping(engine)
        assert isinstance(engine, AsyncEngine)
        pool = engine.pool
    finally:
        await engine.dispose()

    assert isinstance(pool, QueuePool)
    assert pool.size() == SERVER_POOL_SIZE
    assert pool.timeout() == SERVER_POOL_TIMEOUT_S
    # A request waits for a connection briefly, well within its 15 s deadline, then is refused.
    assert SERVER_POOL_TIMEOUT_S <= 2


class Timer:
    """Monotonic seconds that move only when the test moves them."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def database_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == DATABASE_LOGGER]


async def test_a_pool_with_every_connection_in_use_refuses_as_busy_and_logs_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Two connections, both held: what 2,000 concurrent logins do to ten per worker.
    monkeypatch.setattr(engine_module, "SERVER_POOL_SIZE", 1)
    monkeypatch.setattr(engine_module, "SERVER_POOL_MAX_OVERFLOW", 1)
    monkeypatch.setattr(engine_module, "SERVER_POOL_TIMEOUT_S", 0.05)
    timer = Timer()
    engine = create_engine(postgres_url, timer=timer)
    try:
        with caplog.at_level(logging.INFO, logger=DATABASE_LOGGER):
            async with engine.connect(), engine.connect():
                for _ in range(3):
                    with pytest.raises(DatabaseBusy) as raised:
                        await ping(engine)
            timer.now += 60
            await ping(engine)
    finally:
        await engine.dispose()
    # A StoreUnavailable, answered 503 with Retry-After; SQLAlchemy's error only as its cause.
    assert isinstance(raised.value, DatabaseUnavailable)
    assert "QueuePool limit" in str(raised.value.__cause__)
    assert database_lines(caplog) == [
        (
            logging.ERROR,
            "database connection pool exhausted, requests refused with 503: "
            + str(raised.value.__cause__),
        ),
        (logging.INFO, "database connection pool serving again after 60 s (3 failed calls)"),
    ]
    assert all(r.exc_info is None for r in caplog.records)


async def test_sqlite_refuses_a_second_checkout_at_once_rather_than_freeze_the_loop(
    tmp_path: Path,
) -> None:
    # LoopDatabase takes the one connection only on the loop, one block at a time; a second
    # checkout while it is out (a block inside a block) could only wait for ever: refused.
    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with database.sync_engine.connect(), pytest.raises(DatabaseBusy):
            database.sync_engine.connect()
        await ping(database)
    finally:
        await database.dispose()


async def drop_the_pooled_connection(engine: Database, admin: Database) -> None:
    """Open `engine`'s one pooled connection, then have the server end it from `admin`."""
    async with engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
    async with admin.connect() as connection:
        # The timeout makes it wait until the backend is really gone.
        terminated = text("SELECT pg_terminate_backend(:pid, 5000)")
        assert await connection.scalar(terminated, {"pid": pid}) is True


async def test_a_pooled_connection_the_server_dropped_is_replaced_unnoticed(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the connection had sat idle past the threshold (no clock to move in the pool).
    monkeypatch.setattr(idle_ping, "IDLE_PING_AFTER_S", -1.0)
    engine, admin = create_engine(postgres_url), create_engine(postgres_url)
    try:
        await drop_the_pooled_connection(engine, admin)
        await ping(engine)
    finally:
        await engine.dispose()
        await admin.dispose()


async def test_a_busy_connection_the_server_dropped_costs_one_unavailable_then_heals(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Back in use at once (as under load), so it is not pinged: the statement meets the dead
    # connection. The caller gets the outage error (503), never a generic one, and the pool
    # has thrown the connection away by the next checkout.
    monkeypatch.setattr(idle_ping, "IDLE_PING_AFTER_S", 3600.0)
    engine, admin = create_engine(postgres_url), create_engine(postgres_url)
    try:
        await drop_the_pooled_connection(engine, admin)
        with pytest.raises(DatabaseUnavailable):
            async with engine.begin() as connection:
                await connection.execute(text("SELECT 1"))
        await ping(engine)
        async with engine.begin() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
        await admin.dispose()


@pytest.mark.parametrize(("idle_after_s", "pings"), [(3600.0, 0), (-1.0, 2)])
async def test_only_a_connection_that_sat_idle_is_pinged_on_checkout(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, idle_after_s: float, pings: int
) -> None:
    monkeypatch.setattr(idle_ping, "IDLE_PING_AFTER_S", idle_after_s)
    engine = create_engine(postgres_url)
    assert isinstance(engine, AsyncEngine)
    seen: list[object] = []
    ping_for_real = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        seen.append(dbapi_connection)
        return ping_for_real(dbapi_connection)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    try:
        for _ in range(3):  # the first checkout opens the connection: nothing to ping yet
            await ping(engine)
    finally:
        await engine.dispose()
    assert len(seen) == pings


async def test_ping_raises_when_the_server_is_unreachable() -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@{LOOPBACK}:{free_port()}/none")
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await ping(engine)
    finally:
        await engine.dispose()
    assert isinstance(raised.value.__cause__, ConnectionRefusedError)


async def test_a_clashing_user_id_on_postgresql_fails_without_revealing_the_row(
    postgres_url: str,
) -> None:
    async with postgres_schema(postgres_url) as url:
        error = await clashing_insert_error(url)
    assert "secret-hash" not in error


async def test_the_pool_logs_under_sqlalchemys_name_and_so_stays_quiet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The CLI prints INFO lines; "Pool disposed" and "Pool recreating" must not be among them.
    with caplog.at_level(logging.INFO):
        database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
        await ping(database)
        await database.dispose()
    assert [r.getMessage() for r in caplog.records if "Pool" in r.getMessage()] == []
