"""Two workers on one database (SQLite and PostgreSQL): refresh races and concurrent logins.

A worker is what one server process holds: its own engine (so its own connection pool) and its
own use cases. The race is forced, not hoped for: both refreshes read the chain at the same
generation before either advances it, and only then do their transactions meet in the database.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import func, select, update

from adapters.sql.engine import Database, create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.sessions import SqlSessions
from adapters.sql.tables import sessions
from adapters.sql.users import SqlUsers
from domain.credentials import new_id, refresh_token_hash
from domain.errors import RefreshTokenReused
from domain.model import PASSWORD_AMR, ChainRecord, TokenPair, User
from domain.policy import SessionPolicy
from domain.refresh_chain import RefreshChain
from domain.usecases.end_session import EndSession
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.start_session import StartSession
from tests.fakes.fake_access_tokens import FakeAccessTokens
from tests.fakes.fake_audit_log import FakeAuditLog
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions
from tests.fakes.fake_successor_keys import FakeSuccessorKeys

WITH_GRACE = SessionPolicy(refresh_reuse_grace_s=30)
# No grace: a token presented twice at the same instant is reuse, so exactly one request wins.
WITHOUT_GRACE = SessionPolicy(refresh_reuse_grace_s=0)
ROUNDS = 20
LOGINS = 40
RACE_TIMEOUT_S = 30


class RacingSessions(SqlSessions):
    """SqlSessions whose callers all meet at a barrier, if one is set, before advancing."""

    def __init__(self, engine: Database) -> None:
        super().__init__(engine)
        self.barrier: asyncio.Barrier | None = None

    async def advance(
        self, session_id: str, from_generation: int, chain_id_hash: str, chain: RefreshChain
    ) -> bool:
        await self._meet()
        return await super().advance(session_id, from_generation, chain_id_hash, chain)

    async def _meet(self) -> None:
        if self.barrier is not None:
            await self.barrier.wait()


class ReadThenWriteSessions(RacingSessions):
    """A deliberately broken advance: it reads, then writes, without a compare-and-set."""

    def __init__(self, engine: Database) -> None:
        super().__init__(engine)
        self._broken_engine = engine

    async def advance(
        self, session_id: str, from_generation: int, chain_id_hash: str, chain: RefreshChain
    ) -> bool:
        await self._meet()
        # Read in one transaction, write in another: on SQLite a write transaction holds the
        # lock from its BEGIN IMMEDIATE, so a read inside it could not be raced.
        async with self._broken_engine.connect() as connection:
            generation = await connection.scalar(
                select(sessions.c.chain_generation).where(sessions.c.id == session_id)
            )
        if generation != from_generation:
            return False
        async with self._broken_engine.begin() as connection:
            await connection.execute(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(
                    chain_generation=chain.generation,
                    chain_current_hash=chain.current_hash,
                    chain_previous_hash=chain.previous_hash,
                    chain_advanced_at=chain.advanced_at,
                    chain_key_id=chain.key_id,
                )
            )
        return True


@dataclass(frozen=True, slots=True)
class Worker:
    """One server process's share of the system: its own pool, stores and use cases."""

    engine: Database
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

    async def chain_of(self, refresh_token: str) -> ChainRecord | None:
        chain_id = refresh_token.split(".")[0]
        return await self.workers[1].sessions.find_chain(refresh_token_hash(chain_id))


@asynccontextmanager
async def deploy(
    url: str,
    policy: SessionPolicy = WITH_GRACE,
    sessions_type: type[RacingSessions] = RacingSessions,
) -> AsyncIterator[Deployment]:
    """Two workers on the database at `url`; their engines are disposed on exit."""
    clock, revoked, keys = FakeClock(), FakeRevokedSessions(), FakeSuccessorKeys()
    engines = (create_engine(url), create_engine(url))
    try:
        await upgrade_to_head(engines[0])
        workers = tuple(
            _worker(engine, sessions_type, policy, clock, revoked, keys) for engine in engines
        )
        yield Deployment((workers[0], workers[1]), revoked)
    finally:
        for engine in engines:
            await engine.dispose()


def _worker(
    engine: Database,
    sessions_type: type[RacingSessions],
    policy: SessionPolicy,
    clock: FakeClock,
    revoked: FakeRevokedSessions,
    keys: FakeSuccessorKeys,
) -> Worker:
    store, tokens, audit = sessions_type(engine), FakeAccessTokens(), FakeAuditLog()
    end_session = EndSession(store, revoked, clock, policy, audit)
    return Worker(
        engine=engine,
        sessions=store,
        start_session=StartSession(store, tokens, clock, policy, audit),
        refresh=RefreshSession(store, tokens, keys, end_session, clock, policy, audit),
    )


async def a_user(engine: Database) -> str:
    user_id = new_id()
    await SqlUsers(engine).add(User(user_id, f"{user_id}@example.com", "Ada", None, 0))
    return user_id


async def test_two_workers_racing_one_refresh_converge_on_one_successor(
    database_url: str,
) -> None:
    """Tabs sharing one token refresh at once: both get the same successor, the chain moves
    once, and the session lives on."""
    async with deploy(database_url) as deployment:
        user_id = await a_user(deployment.workers[0].engine)
        for _ in range(ROUNDS):
            login = await deployment.workers[0].start_session.execute(user_id, PASSWORD_AMR)

            outcomes = await deployment.race(login.refresh_token)

            assert all(isinstance(outcome, TokenPair) for outcome in outcomes), outcomes
            pairs = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
            assert pairs[0].refresh_token == pairs[1].refresh_token
            record = await deployment.chain_of(login.refresh_token)
            assert record is not None
            assert record.chain.generation == 1
            assert record.chain.current_hash == refresh_token_hash(pairs[0].refresh_token)
            assert record.session.revoked_at is None


async def test_without_a_grace_window_exactly_one_racer_advances(database_url: str) -> None:
    async with deploy(database_url, WITHOUT_GRACE) as deployment:
        user_id = await a_user(deployment.workers[0].engine)
        for _ in range(ROUNDS):
            login = await deployment.workers[0].start_session.execute(user_id, PASSWORD_AMR)

            outcomes = await deployment.race(login.refresh_token)

            winners = [outcome for outcome in outcomes if isinstance(outcome, TokenPair)]
            losers = [outcome for outcome in outcomes if not isinstance(outcome, TokenPair)]
            assert len(winners) == 1, outcomes
            assert len(losers) == 1
            assert isinstance(losers[0], RefreshTokenReused)
            # The loser took the race for theft: the whole session is ended, everywhere.
            record = await deployment.chain_of(winners[0].refresh_token)
            assert record is not None
            assert record.chain.generation == 1
            assert record.session.revoked_at is not None
            assert record.session.id in deployment.revoked.entries


async def test_the_race_is_real_a_read_then_write_advance_lets_both_win(
    database_url: str,
) -> None:
    """Guards the test above: without a compare-and-set, the same race crowns two winners."""
    async with deploy(database_url, WITHOUT_GRACE, ReadThenWriteSessions) as deployment:
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
        assert stored_sessions == LOGINS
        session_ids = set()
        for pair in refreshed:
            record = await deployment.chain_of(pair.refresh_token)
            assert record is not None
            assert record.chain.generation == 1
            assert record.chain.current_hash == refresh_token_hash(pair.refresh_token)
            assert record.session.revoked_at is None
            session_ids.add(record.session.id)
        assert len(session_ids) == LOGINS
