"""This process's deny-list beside Redis, against a real redis-server that stops, comes back
empty and is flushed: never a revoked session let through, never an error, one log line per
incident, and Redis refilled before it is relied on again."""

import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
import redis.asyncio

from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.redis_connection import create_redis_client
from adapters.redis_revocations import RedisRevokedSessions
from adapters.replicated_revocations import (
    REVOCATIONS_LOGGER,
    RedisState,
    ReplicatedRevokedSessions,
)
from domain.errors import StoreUnavailable
from tests.support.servers import RedisServer, redis_server

UNTIL = int(time.time()) + 3600


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    """A redis-server of this module's own: the tests stop and restart it."""
    with redis_server() as running:
        yield running


@pytest.fixture
def running(server: RedisServer) -> RedisServer:
    if not _answers(server):
        server.start()
    return server


def _answers(server: RedisServer) -> bool:
    try:
        socket.create_connection((server.host, server.port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
async def client(running: RedisServer) -> AsyncIterator[redis.asyncio.Redis]:
    client = create_redis_client(running.url)
    yield client
    await client.aclose()


class Refill:
    """Stands in for `RestoreRevocations` on the shared store: copies `log` into it."""

    def __init__(self, shared: RedisRevokedSessions, log: list[str]) -> None:
        self.shared, self.log, self.calls = shared, log, 0
        self.error: Exception | None = None
        # What happens at the same time, before the copy.
        self.meanwhile: Callable[[], Awaitable[None]] | None = None

    async def __call__(self) -> int:
        self.calls += 1
        if self.meanwhile is not None:
            await self.meanwhile()
        if self.error is not None:
            raise self.error
        await self.shared.add_many(self.log, UNTIL)
        return len(self.log)


class Process:
    """One process's view: its own copy, and Redis under a namespace shared with others."""

    def __init__(self, client: redis.asyncio.Redis, namespace: str, log: list[str]) -> None:
        self.shared = RedisRevokedSessions(client, namespace)
        self.local = InMemoryRevokedSessions()
        self.refill = Refill(self.shared, log)
        self.revoked = ReplicatedRevokedSessions(self.local, self.shared, self.refill)


@pytest.fixture
def log() -> list[str]:
    """The revocation log's live entries, as the refill copies them."""
    return []


@pytest.fixture
async def process(client: redis.asyncio.Redis, log: list[str]) -> Process:
    first = Process(client, f"test-{uuid.uuid4().hex}", log)
    await first.revoked.heal()
    return first


def state_of(revoked: ReplicatedRevokedSessions) -> RedisState:
    # Read through a call: mypy would otherwise keep an attribute narrowed across awaits.
    return revoked.state


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == REVOCATIONS_LOGGER]


async def test_a_new_redis_is_filled_from_the_log_before_it_is_used(
    client: redis.asyncio.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = Process(client, f"test-{uuid.uuid4().hex}", ["s1", "s2"])
    assert state_of(fresh.revoked) is RedisState.UNCHECKED

    with caplog.at_level(logging.INFO, logger=REVOCATIONS_LOGGER):
        await fresh.revoked.heal()

    assert state_of(fresh.revoked) is RedisState.IN_USE
    assert await fresh.shared.is_complete()
    assert await fresh.shared.contains("s2", int(time.time()))
    assert records(caplog) == [
        (logging.INFO, "Redis deny-list holds every live revocation again: 2 copied from the log")
    ]


async def test_a_redis_that_holds_the_marker_is_used_as_it_is(process: Process) -> None:
    later = ReplicatedRevokedSessions(InMemoryRevokedSessions(), process.shared, process.refill)

    await later.heal()

    assert state_of(later) is RedisState.IN_USE
    assert process.refill.calls == 1  # the first process's fill, not a second one


async def test_another_process_revocation_is_seen_at_once_through_redis(
    client: redis.asyncio.Redis, process: Process
) -> None:
    other = ReplicatedRevokedSessions(InMemoryRevokedSessions(), process.shared, process.refill)
    await other.heal()

    await process.revoked.add("s1", UNTIL)

    assert await other.contains("s1", int(time.time()))
    assert not await other.contains("s2", int(time.time()))


async def test_while_redis_is_away_this_process_copy_answers_and_one_line_says_so(
    running: RedisServer, process: Process, caplog: pytest.LogCaptureFixture
) -> None:
    now = int(time.time())
    await process.revoked.add("before", UNTIL)
    running.stop()

    caplog.clear()  # what the set-up logged is not under test

    with caplog.at_level(logging.INFO, logger=REVOCATIONS_LOGGER):
        answers = [await process.revoked.contains("live", now) for _ in range(50)]
        await process.revoked.add("during", UNTIL)
        await process.revoked.add_many(["during-too"], UNTIL)
        denied = [await process.revoked.contains(s, now) for s in ("before", "during")]
        await process.revoked.heal()  # still away: nothing to do, nothing more to say

    assert answers == [False] * 50
    assert denied == [True, True]
    assert state_of(process.revoked) is RedisState.AWAY
    [(level, message)] = records(caplog)
    assert level == logging.ERROR
    assert message.startswith("Redis deny-list unavailable (")
    assert message.endswith(
        "answering from this process's copy of the revocation log until it is back"
    )


async def test_a_redis_back_empty_is_refilled_from_the_log_then_used_again(
    running: RedisServer,
    client: redis.asyncio.Redis,
    process: Process,
    log: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = int(time.time())
    await process.revoked.add("before", UNTIL)
    caplog.clear()  # what the set-up logged is not under test
    with caplog.at_level(logging.INFO, logger=REVOCATIONS_LOGGER):
        running.stop()
        await process.revoked.add("during", UNTIL)  # noticed here
        log.extend(["before", "during"])
        running.start()
        # Not asked while away, even once it answers: it is not known to be whole yet.
        assert await process.revoked.contains("during", now)
        assert not await process.revoked.contains("never", now)
        assert not await process.shared.contains("during", now)

        await process.revoked.heal()
        await process.revoked.heal()

    assert state_of(process.revoked) is RedisState.IN_USE
    assert process.refill.calls == 2  # the first fill, and this refill
    # Another process that never held these entries finds them in Redis.
    other = ReplicatedRevokedSessions(InMemoryRevokedSessions(), process.shared, process.refill)
    await other.heal()
    assert [await other.contains(s, now) for s in ("before", "during", "never")] == [
        True,
        True,
        False,
    ]
    assert [level for level, _ in records(caplog)] == [logging.ERROR, logging.WARNING]
    assert records(caplog)[1][1] == (
        "Redis deny-list holds every live revocation again: 2 copied from the log"
    )


async def test_a_flushed_redis_is_noticed_by_a_lookup_and_refilled(
    client: redis.asyncio.Redis,
    process: Process,
    log: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = int(time.time())
    await process.revoked.add("s1", UNTIL)
    log.append("s1")
    await client.flushall()

    caplog.clear()  # what the set-up logged is not under test

    with caplog.at_level(logging.INFO, logger=REVOCATIONS_LOGGER):
        assert [await process.revoked.contains("s2", now) for _ in range(20)] == [False] * 20
        assert state_of(process.revoked) is RedisState.INCOMPLETE
        # Still asked meanwhile: what it holds now is as true as ever.
        await process.shared.add("s3", UNTIL)
        assert await process.revoked.contains("s3", now)
        await process.revoked.heal()

    assert state_of(process.revoked) is RedisState.IN_USE
    assert await process.shared.contains("s1", now)
    assert await process.shared.is_complete()
    assert [level for level, _ in records(caplog)] == [logging.WARNING, logging.WARNING]
    assert records(caplog)[0][1].startswith("Redis lost the deny-list (restarted empty or flushed)")


async def test_a_log_that_cannot_be_read_leaves_redis_to_be_refilled_next_time(
    client: redis.asyncio.Redis, process: Process
) -> None:
    await client.flushall()
    await process.revoked.contains("s1", int(time.time()))
    process.refill.error = StoreUnavailable("the database did not answer")

    with pytest.raises(StoreUnavailable):
        await process.revoked.heal()

    assert state_of(process.revoked) is RedisState.INCOMPLETE
    assert not await process.shared.is_complete()
    process.refill.error = None
    await process.revoked.heal()
    assert state_of(process.revoked) is RedisState.IN_USE


async def test_redis_failing_during_the_refill_stays_away_until_a_refill_succeeds(
    running: RedisServer, client: redis.asyncio.Redis, process: Process, log: list[str]
) -> None:
    log.append("s1")
    await client.flushall()
    await process.revoked.contains("s1", int(time.time()))

    async def redis_stops() -> None:
        running.stop()

    process.refill.meanwhile = redis_stops
    await process.revoked.heal()

    assert state_of(process.revoked) is RedisState.AWAY
    running.start()
    process.refill.meanwhile = None
    await process.revoked.heal()
    assert state_of(process.revoked) is RedisState.IN_USE
    assert await process.shared.contains("s1", int(time.time()))


async def test_a_request_that_finds_redis_away_during_a_refill_keeps_it_away(
    running: RedisServer, client: redis.asyncio.Redis, process: Process, log: list[str]
) -> None:
    log.append("s1")
    await client.flushall()
    await process.revoked.contains("s1", int(time.time()))

    async def a_request_meets_a_blip() -> None:
        running.stop()
        await process.revoked.contains("s2", int(time.time()))
        running.start()

    process.refill.meanwhile = a_request_meets_a_blip
    await process.revoked.heal()

    # The copy went through, but a write may have been missed meanwhile: copied again next.
    assert state_of(process.revoked) is RedisState.AWAY
    process.refill.meanwhile = None
    await process.revoked.heal()
    assert state_of(process.revoked) is RedisState.IN_USE
    assert process.refill.calls == 3
