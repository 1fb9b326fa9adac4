"""Every implementation of a port runs the same contract tests.

A backend is one entry of `_BACKENDS`: a function from the fixture request to a `StoreFactory`.
Each call of the factory yields fresh, empty stores: a new SQLite file, or on PostgreSQL a
schema (and role) of its own in the session's database. A backend asks for the fixtures it needs
(`postgres_url`) itself, so a server starts only when its backend is selected.
"""

import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import pytest
from litestar import Litestar
from sqlalchemy import text

from adapters.cached_users import CachedUsers
from adapters.sql.account_erasure import SqlAccountErasure
from adapters.sql.connect_tokens import SqlIssuedConnectTokens
from adapters.sql.email_tokens import SqlEmailTokens
from adapters.sql.engine import Database, create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.retention import SqlRetention
from adapters.sql.revocation_log import SqlRevocationLog
from adapters.sql.sessions import SqlSessions
from adapters.sql.tables import metadata
from adapters.sql.users import SqlUsers
from domain.ports import (
    AccountErasure,
    EmailTokens,
    IssuedConnectTokens,
    Retention,
    RevocationLog,
    Sessions,
    Users,
)
from tests.fakes.fake_account_erasure import FakeAccountErasure
from tests.fakes.fake_email_tokens import FakeEmailTokens
from tests.fakes.fake_issued_connect_tokens import FakeIssuedConnectTokens
from tests.fakes.fake_retention import FakeRetention
from tests.fakes.fake_revocation_log import FakeRevocationLog
from tests.fakes.fake_sessions import FakeSessions
from tests.fakes.fake_users import FakeUsers
from tests.support.servers import create_postgres_schema


@dataclass(frozen=True, slots=True)
class Stores:
    """One backend's implementation of each port, sharing one database."""

    users: Users
    sessions: Sessions
    issued_tokens: IssuedConnectTokens
    erasure: AccountErasure
    revocation_log: RevocationLog
    retention: Retention
    email_tokens: EmailTokens


StoreFactory = Callable[[], AbstractAsyncContextManager[Stores]]


def _fake(_: pytest.FixtureRequest) -> StoreFactory:
    @asynccontextmanager
    async def stores() -> AsyncIterator[Stores]:
        users = FakeUsers()
        sessions, tokens = FakeSessions(users), FakeIssuedConnectTokens(users)
        erasure = FakeAccountErasure(users, sessions, tokens)
        yield Stores(
            users,
            sessions,
            tokens,
            erasure,
            FakeRevocationLog(sessions),
            FakeRetention(sessions, tokens),
            FakeEmailTokens(users),
        )

    return stores


def _sqlite(request: pytest.FixtureRequest) -> StoreFactory:
    tmp_path_factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")

    @asynccontextmanager
    async def stores() -> AsyncIterator[Stores]:
        path = tmp_path_factory.mktemp("sqlite") / "store.sqlite3"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade_to_head(engine)
            yield _sql_stores(engine)
        finally:
            await engine.dispose()

    return stores


def _sql_stores(engine: Database) -> Stores:
    return Stores(
        SqlUsers(engine),
        SqlSessions(engine),
        SqlIssuedConnectTokens(engine),
        SqlAccountErasure(engine),
        SqlRevocationLog(engine),
        SqlRetention(engine),
        SqlEmailTokens(engine),
    )


def _postgres(request: pytest.FixtureRequest) -> StoreFactory:
    postgres_url: str = request.getfixturevalue("postgres_url")
    # Migrating a new schema costs far more than emptying a used one, and hypothesis asks for
    # stores once per example: a schema its test left cleanly is emptied and handed out again.
    emptied: list[str] = []

    @asynccontextmanager
    async def stores() -> AsyncIterator[Stores]:
        reused = bool(emptied)
        url = emptied.pop() if reused else await create_postgres_schema(postgres_url)
        engine = create_engine(url)
        try:
            if not reused:
                await upgrade_to_head(engine)
            yield _sql_stores(engine)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY"))
            emptied.append(url)
        finally:
            await engine.dispose()

    return stores


def _cached_sqlite(request: pytest.FixtureRequest) -> StoreFactory:
    sqlite = _sqlite(request)

    @asynccontextmanager
    async def stores() -> AsyncIterator[Stores]:
        async with sqlite() as underlying:
            users = CachedUsers(underlying.users, max_entries=100, ttl_s=60, timer=time.monotonic)
            yield dataclasses.replace(underlying, users=users)

    return stores


_TABLES = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)


_BACKENDS: dict[str, Callable[[pytest.FixtureRequest], StoreFactory]] = {
    "fake": _fake,
    "sqlite": _sqlite,
    "cached-sqlite": _cached_sqlite,
    "postgres": _postgres,
}


# Session scope keeps it usable from hypothesis tests, which call it once per example.
@pytest.fixture(scope="session", params=list(_BACKENDS))
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    """Makes fresh stores of one backend on each call."""
    backend: str = request.param
    return _BACKENDS[backend](request)


@pytest.fixture
async def stores(store_factory: StoreFactory) -> AsyncIterator[Stores]:
    """Fresh, empty stores of one backend for one test."""
    async with store_factory() as fresh:
        yield fresh


EmulatorFactory = Callable[[str, str], Litestar]


@pytest.fixture(scope="session")
def corbado_emulator() -> EmulatorFactory:
    """Builds the Corbado emulator's ASGI app from a project id and an API secret: the one place
    the contract suites name the emulator's package."""
    from corbado_emulator import create_emulator_app

    return create_emulator_app
