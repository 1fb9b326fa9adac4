"""Account deletion racing logins and refreshes, with real concurrency on SQLite and PostgreSQL.

Two workers (each its own engine, so its own connections) share one database, a clock and a
deny-list. While one deletes the account, both keep logging in and refreshing it. Whatever
interleaving the database allows, every request ends in a token pair or a 401-class refusal
(never a database error, which would be a 500), and every session that handed out a token pair
ends up both on the deny-list and in the revocation log.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from adapters.sql.account_erasure import SqlAccountErasure
from adapters.sql.connect_tokens import SqlIssuedConnectTokens
from adapters.sql.engine import create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.revocation_log import SqlRevocationLog
from adapters.sql.sessions import SqlSessions
from adapters.sql.users import SqlUsers
from domain.errors import AccountClosed, InvalidCredentials, InvalidRefreshToken
from domain.model import IdentifierKind, TokenPair
from domain.policy import SessionPolicy
from domain.usecases.create_user import CreateUser
from domain.usecases.delete_account_everywhere import DeleteAccountEverywhere
from domain.usecases.end_session import EndSession
from domain.usecases.password_login import PasswordLogin
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.start_session import StartSession
from tests.fakes.fake_access_tokens import FakeAccessTokens
from tests.fakes.fake_audit_log import FakeAuditLog
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_corbado import FakeCorbadoConnect
from tests.fakes.fake_password_hasher import FakePasswordHasher
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions
from tests.fakes.fake_successor_keys import FakeSuccessorKeys

POLICY = SessionPolicy()
EMAIL = "jane@example.com"
PASSWORD = "correct horse battery"
ROUNDS = 12
# What a request racing a deletion may meet: each one is a 401 on the wire.
REFUSALS = (InvalidCredentials, InvalidRefreshToken, AccountClosed)


class SlowCorbado(FakeCorbadoConnect):
    """Yields to the event loop inside every call, as a network round trip would."""

    async def delete_connect_token(self, token_id: str) -> None:
        await asyncio.sleep(0.001)
        await super().delete_connect_token(token_id)

    async def user_ids_for(self, identifier: str) -> list[str]:
        await asyncio.sleep(0.001)
        return await super().user_ids_for(identifier)


class SlowHasher(FakePasswordHasher):
    """Verifies off the event loop, as argon2 does: a login awaits between reading its user
    and writing its session, which is where a deletion can slip in."""

    async def verify(self, password_hash: str, password: str) -> bool:
        await asyncio.sleep(0.002)
        return await super().verify(password_hash, password)


@dataclass(frozen=True, slots=True)
class Worker:
    login: PasswordLogin
    refresh: RefreshSession
    close: DeleteAccountEverywhere
    users: SqlUsers


@dataclass(frozen=True, slots=True)
class Deployment:
    workers: tuple[Worker, Worker]
    revoked: FakeRevokedSessions
    tokens: FakeAccessTokens
    revocation_log: SqlRevocationLog


@asynccontextmanager
async def deploy(url: str) -> AsyncIterator[Deployment]:
    clock, revoked, tokens = FakeClock(), FakeRevokedSessions(), FakeAccessTokens()
    engines = (create_engine(url), create_engine(url))
    try:
        await upgrade_to_head(engines[0])
        workers = []
        for engine in engines:
            users, sessions = SqlUsers(engine), SqlSessions(engine)
            issued, audit = SqlIssuedConnectTokens(engine), FakeAuditLog()
            start = StartSession(sessions, tokens, clock, POLICY, audit)
            end = EndSession(sessions, revoked, clock, POLICY, audit)
            close = DeleteAccountEverywhere(
                users,
                sessions,
                issued,
                SlowCorbado(),
                SqlAccountErasure(engine),
                revoked,
                clock,
                POLICY,
                audit,
                IdentifierKind.EMAIL,
            )
            workers.append(
                Worker(
                    PasswordLogin(users, SlowHasher(), start, audit, clock),
                    RefreshSession(
                        sessions, tokens, FakeSuccessorKeys(), end, clock, POLICY, audit
                    ),
                    close,
                    users,
                )
            )
        yield Deployment((workers[0], workers[1]), revoked, tokens, SqlRevocationLog(engines[0]))
    finally:
        for engine in engines:
            await engine.dispose()


async def keep_trying(
    attempt: Callable[[], object], deleted: asyncio.Event
) -> list[TokenPair | BaseException]:
    """Run `attempt` until the deletion finished and a few rounds more; every outcome."""
    outcomes: list[TokenPair | BaseException] = []
    after = 0
    while after < ROUNDS:
        try:
            outcomes.append(await attempt())  # type: ignore[misc]
        except Exception as error:
            outcomes.append(error)
        if deleted.is_set():
            after += 1
    return outcomes


@pytest.mark.parametrize("round_", range(3))
async def test_no_session_of_a_deleted_account_escapes(database_url: str, round_: int) -> None:
    async with deploy(database_url) as deployment:
        first, second = deployment.workers
        hasher, clock = FakePasswordHasher(), FakeClock()
        user = await CreateUser(first.users, hasher, clock, FakeAuditLog()).execute(
            EMAIL, PASSWORD, "Jane"
        )
        held = [await worker.login.execute(EMAIL, PASSWORD) for worker in (first, second)]
        deleted = asyncio.Event()

        async def delete() -> None:
            try:
                await first.close.execute(user)
            finally:
                deleted.set()

        def refresher(worker: Worker, pair: TokenPair) -> Callable[[], object]:
            current = [pair.refresh_token]

            async def refresh() -> TokenPair:
                fresh = await worker.refresh.execute(current[0])
                current[0] = fresh.refresh_token
                return fresh

            return refresh

        results = await asyncio.gather(
            delete(),
            keep_trying(lambda: first.login.execute(EMAIL, PASSWORD), deleted),
            keep_trying(lambda: second.login.execute(EMAIL, PASSWORD), deleted),
            keep_trying(refresher(first, held[0]), deleted),
            keep_trying(refresher(second, held[1]), deleted),
        )

        outcomes = [outcome for batch in results[1:] for outcome in batch] + held
        unexpected = [
            o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, REFUSALS)
        ]
        assert unexpected == []
        granted = {
            deployment.tokens.decode(o.access_token).session_id
            for o in outcomes
            if isinstance(o, TokenPair)
        }
        logged = {
            entry.session_id
            for entry in await deployment.revocation_log.revocations_after(0, 10_000)
        }
        assert granted <= set(deployment.revoked.entries)
        assert granted <= logged
        assert await first.users.by_id(user.id) is None
