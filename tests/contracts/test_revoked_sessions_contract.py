"""The RevokedSessions port: entries deny until their expiry, then vanish."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.redis_connection import create_redis_client
from adapters.redis_revocations import RedisRevokedSessions
from adapters.replicated_revocations import ReplicatedRevokedSessions
from domain.ports import RevokedSessions
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions
from tests.support.servers import LOOPBACK, free_port

DenyListFactory = Callable[[], AbstractAsyncContextManager[RevokedSessions]]


@asynccontextmanager
async def _in_process(revoked: RevokedSessions) -> AsyncIterator[RevokedSessions]:
    yield revoked


def _redis(redis_url: str, *, replicated: bool = False) -> DenyListFactory:
    @asynccontextmanager
    async def deny_list() -> AsyncIterator[RevokedSessions]:
        client = create_redis_client(redis_url)
        # A namespace of its own keeps every call's deny-list empty on a shared server.
        shared = RedisRevokedSessions(client, namespace=f"contract-{uuid.uuid4().hex}")
        try:
            if replicated:
                yield ReplicatedRevokedSessions(InMemoryRevokedSessions(), shared, _no_log)
            else:
                yield shared
        finally:
            await client.aclose()

    return deny_list


async def _no_log() -> int:
    return 0


# Session scope keeps it usable from hypothesis tests, which call it once per example.
@pytest.fixture(
    scope="session",
    params=["fake", "memory", "redis", "replicated-redis", "replicated-redis-away"],
)
def make(request: pytest.FixtureRequest) -> DenyListFactory:
    """Makes a fresh, empty deny-list of one kind on each call.

    `replicated-redis` is this process's copy with Redis beside it; `replicated-redis-away` the
    same with nothing listening where Redis should be: the contract holds all the same.
    """
    if request.param == "fake":
        return lambda: _in_process(FakeRevokedSessions())
    if request.param == "memory":
        return lambda: _in_process(InMemoryRevokedSessions())
    if request.param == "replicated-redis-away":
        return _redis(f"redis://{LOOPBACK}:{free_port()}/0", replicated=True)
    redis_url: str = request.getfixturevalue("redis_url")
    return _redis(redis_url, replicated=request.param == "replicated-redis")


async def test_an_entry_denies_until_its_expiry(make: DenyListFactory) -> None:
    async with make() as revoked:
        await revoked.add("s1", until=100)
        assert await revoked.contains("s1", now=99)
        assert not await revoked.contains("s1", now=100)
        assert not await revoked.contains("s2", now=50)


async def test_a_later_expiry_wins_over_an_earlier_one(make: DenyListFactory) -> None:
    async with make() as revoked:
        await revoked.add("s1", until=200)
        await revoked.add("s1", until=100)
        assert await revoked.contains("s1", now=150)


@settings(max_examples=50, deadline=None)
@given(
    entries=st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 100)), max_size=20),
    probes=st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 100)), max_size=20),
)
async def test_any_sequence_matches_the_latest_expiry_rule(
    make: DenyListFactory, entries: list[tuple[str, int]], probes: list[tuple[str, int]]
) -> None:
    async with make() as revoked:
        for session_id, until in entries:
            await revoked.add(session_id, until)
        for session_id, now in sorted(probes, key=lambda probe: probe[1]):
            latest = max((until for sid, until in entries if sid == session_id), default=0)
            assert await revoked.contains(session_id, now) == (latest > now)


async def test_many_entries_are_added_as_one_by_one(make: DenyListFactory) -> None:
    async with make() as revoked:
        await revoked.add_many(["s1", "s2"], until=200)
        await revoked.add_many(["s2", "s3"], until=100)
        await revoked.add_many([], until=300)

        assert await revoked.contains("s3", now=99)
        assert [await revoked.contains(sid, now=150) for sid in ("s1", "s2", "s3")] == [
            True,
            True,
            False,
        ]
        assert not await revoked.contains("s1", now=200)
