"""Two workers on one PostgreSQL database: refresh races and concurrent logins.

A worker is what one server process holds: its own engine (so its own connection pool) and its
own use cases. The race is forced, not hoped for: both refreshes read the token as unrotated
before either rotates it, and only then do their transactions meet in the database.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.sessions import SqlSessions
from adapters.sql.tables import refresh_tokens, sessions
from adapters.sql.users import SqlUsers
from domain.credentials import new_id, refresh_token_hash
from domain.errors import RefreshTokenReused
from domain.model import PASSWORD_AMR, TokenPair, User
from domain.policy import SessionPolicy
from domain.usecases.end_session import EndSession
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.start_session import StartSession
from tests.fakes.fake_access_tokens import FakeAccessTokens
from tests.fakes.fake_audit_log import FakeAuditLog
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions
from tests.support.servers import postgres_schema

# No grace: a token presented twice at the same instant is reuse, so exactly one request wins.
POLICY = SessionPolicy(refresh_reuse_grace_s=0)
ROUNDS = 20
LOGINS = 40
RACE_TIMEOUT_S = 30


class RacingSessions(SqlSessions):
    """SqlSessions whose callers all meet at a barrier, if one is set, before rotating."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.barrier: asyncio.Barrier | None = None

    async def rotate(self, old_hash: str, new_hash: str, now: int) -> bool:
        await self._meet()
        return await super().rotate(old_hash, new_hash, now)

    async def _meet(self) -> None:
        if self.barrier is not None:
            await self.barrier.wait()


class ReadThenWriteSessions(RacingSessions):
    """A deliberately broken rotate: it reads, then writes, without a compare-and-set."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._broken_engine = engine

    async def rotate(self, old_hash: str, new_hash: str, now: int) -> bool:
        await self._meet()
        async with self._broken_engine.begin() as connection:
            row = (
                await connection.execute(
                    select(refresh_tokens.c.session_id, refresh_tokens.c.rotated_at).where(
                        refresh_tokens.c.token_hash == old_hash
                    )
                )
            ).one_or_none()
            if row is None or row.rotated_at is not None:
                return False
            await connection.execute(
                update(refresh_tokens)
                .where(refresh_tokens.c.token_hash == old_hash)
                .values(rotated_at=now)
            )
            await connection.execute(
                insert(refresh_tokens).values(
                    token_hash=new_hash, session_id=row.session_id, issued_at=now
                )
            )
        return True


@dataclass(frozen=True, slots=True)
class Worker:
    """One server process's share of the system: its own pool, stores and use cases."""

    engine: AsyncEngine
    sessions: RacingSessions
    start_session: StartSession
    refresh: RefreshSession


@dataclass(frozen=True, slots=True)
class Deployment:
    """Two workers on one database, sharing a clock and a deny-list as real ones would."""

    workers: tuple[Worker, Worker]
    revoked: FakeRevokedSessions

    async def race(self, refresh_token: str) -> list[TokenPair | BaseException]:
        """Both workers refresh `refresh_token` at once; each one's pair or error."""
        barrier = asyncio.Barrier(len(self.workers))
        for worker in self.workers:
            worker.sessions.barrier = barrier
        try:
            async with asyncio.timeout(RACE_TIMEOUT_S):
                return await asyncio.gather(
                    *(worker.refresh.execute(refresh_token) for worker in self.workers),
                    return_exceptions=True,
                )
        finally:
            for worker in self.workers:
                worker.sessions.barrier = None


@pytest.fixture
async def database_url(postgres_url: str) -> AsyncIterator[str]:
    async with postgres_schema(postgres_url) as url:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()
        yield url


@asynccontextmanager
async def deploy(
    url: str, sessions_type: type[RacingSessions] = RacingSessions
) -> AsyncIterator[Deployment]:
    """Two workers on the database at `url`; their engines are disposed on exit."""
    clock, revoked = FakeClock(), FakeRevokedSessions()
    engines = (create_engine(url), create_engine(url))
    try:
        workers = tuple(_worker(engine, sessions_type, clock, revoked) for engine in engines)
        yield Deployment((workers[0], workers[1]), revoked)
    finally:
        for engine in engines:
            await engine.dispose()


def _worker(
    engine: AsyncEngine,
    sessions_type: type[RacingSessions],
    clock: FakeClock,
    revoked: FakeRevokedSessions,
) -> Worker:
    store, tokens, audit = sessions_type(engine), FakeAccessTokens(), FakeAuditLog()
    end_session = EndSession(store, revoked, clock, POLICY, audit)
    return Worker(
        engine=engine,
        sessions=store,
        start_session=StartSession(store, tokens, clock, POLICY, audit),
        refresh=RefreshSession(store, tokens, end_session, clock, POLICY, audit),
    )


async def a_user(engine: AsyncEngine) -> str:
    user_id = new_id()
    await SqlUsers(engine).add(User(user_id, f"{user_id}@example.com", "Ada", None, 0))
    return user_id


async def test_of_two_workers_racing_one_refresh_exactly_one_rotates(database_url: str) -> None:
    async with deploy(database_url) as deployment:
        first, second = deployment.workers
        user_id = await a_user(first.engine)
        for _ in range(ROUNDS):
            login = await first.start_session.execute(user_id, PASSWORD_AMR)

            outcomes = await deployment.race(login.refresh_token)

            winners = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
            losers = [outcome for outcome in outcomes if not isinstance(outcome, TokenPair)]
            assert len(winners) == 1, outcomes
            assert len(losers) == 1
            assert isinstance(losers[0], RefreshTokenReused)
            # The loser took the race for theft: the whole session is ended, everywhere.
            record = await second.sessions.find_refresh(
                refresh_token_hash(winners[0].refresh_token)
            )
            assert record is not None
            assert record.rotated_at is None
            assert record.session.revoked_at is not None
            assert record.session.id in deployment.revoked.entries


async def test_the_race_is_real_a_read_then_write_rotate_lets_both_win(
    database_url: str,
) -> None:
    """Guards the test above: without a compare-and-set, the same race crowns two winners."""
    async with deploy(database_url, ReadThenWriteSessions) as deployment:
        user_id = await a_user(deployment.workers[0].engine)
        double_wins = 0
        for _ in range(ROUNDS):
            login = await deployment.workers[0].start_session.execute(user_id, PASSWORD_AMR)
            outcomes = await deployment.race(login.refresh_token)
            if all(isinstance(outcome, TokenPair) for outcome in outcomes):
                double_wins += 1

    assert double_wins > 0


async def test_concurrent_logins_and_refreshes_of_one_user_lose_no_writes(
    database_url: str,
) -> None:
    async with deploy(database_url) as deployment:
        workers = deployment.workers
        user_id = await a_user(workers[0].engine)

        logins = await asyncio.gather(
            *(workers[n % 2].start_session.execute(user_id, PASSWORD_AMR) for n in range(LOGINS))
        )
        refreshed = await asyncio.gather(
            *(workers[n % 2].refresh.execute(login.refresh_token) for n, login in enumerate(logins))
        )

        async with workers[0].engine.connect() as connection:
            stored_sessions = await connection.scalar(
                select(func.count()).select_from(sessions).where(sessions.c.user_id == user_id)
            )
            stored_tokens = await connection.scalar(
                select(func.count())
                .select_from(refresh_tokens)
                .join(sessions)
                .where(sessions.c.user_id == user_id)
            )
        assert stored_sessions == LOGINS
        assert stored_tokens == 2 * LOGINS
        session_ids = set()
        for login, pair in zip(logins, refreshed, strict=True):
            old = await workers[1].sessions.find_refresh(refresh_token_hash(login.refresh_token))
            new = await workers[1].sessions.find_refresh(refresh_token_hash(pair.refresh_token))
            assert old is not None
            assert new is not None
            assert old.rotated_at is not None
            assert new.rotated_at is None
            assert new.session.id == old.session.id
            assert new.session.revoked_at is None
            session_ids.add(new.session.id)
        assert len(session_ids) == LOGINS
