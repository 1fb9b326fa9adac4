"""The rate-limit counters: fixed windows aligned to the window size, one count per key.

Run against the fake, the in-memory counters, Redis (a throwaway redis-server, namespaced per
test so that tests sharing the server never see each other's keys), and the fallback over
Redis, with Redis answering and with nothing listening (every hit in memory).
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from adapters.fallback_rate_limits import FallbackRateLimitCounters
from adapters.memory_rate_limits import InMemoryRateLimitCounters
from adapters.redis_connection import create_redis_client
from adapters.redis_rate_limits import RedisRateLimitCounters
from domain.ports import RateLimitCounters
from tests.fakes.fake_rate_limit_counters import FakeRateLimitCounters
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents
from tests.support.servers import LOOPBACK, free_port

WINDOW = 60
START = 1_800_000_000 - 1_800_000_000 % WINDOW  # the first second of a window


@pytest.fixture(params=["fake", "memory", "redis", "fallback-redis", "fallback-redis-down"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[RateLimitCounters]:
    if request.param == "fake":
        yield FakeRateLimitCounters()
        return
    if request.param == "memory":
        yield InMemoryRateLimitCounters()
        return
    if request.param == "fallback-redis-down":
        url = f"redis://{LOOPBACK}:{free_port()}/0"
    else:
        url = request.getfixturevalue("redis_url")
    client: Redis = create_redis_client(url)
    redis = RedisRateLimitCounters(client, namespace=f"test-{uuid.uuid4().hex}")
    try:
        if request.param == "redis":
            yield redis
        else:
            # A timer that never moves: once Redis failed, it is not tried again.
            yield FallbackRateLimitCounters(
                redis, InMemoryRateLimitCounters(), events=FakeRateLimitEvents(), timer=lambda: 0.0
            )
    finally:
        await client.aclose()


async def test_hits_in_one_window_add_up(counters: RateLimitCounters) -> None:
    assert [await counters.hit("k", WINDOW, START + s) for s in (0, 1, 59)] == [1, 2, 3]


async def test_a_new_window_starts_from_one(counters: RateLimitCounters) -> None:
    await counters.hit("k", WINDOW, START + 59)
    assert await counters.hit("k", WINDOW, START + 60) == 1


async def test_keys_count_apart(counters: RateLimitCounters) -> None:
    await counters.hit("a", WINDOW, START)
    assert await counters.hit("b", WINDOW, START) == 1


async def test_concurrent_hits_are_all_counted(counters: RateLimitCounters) -> None:
    counts = await asyncio.gather(*(counters.hit("k", WINDOW, START) for _ in range(50)))
    assert sorted(counts) == list(range(1, 51))


async def test_a_refund_takes_one_hit_back(counters: RateLimitCounters) -> None:
    for _ in range(3):
        await counters.hit("k", WINDOW, START)
    await counters.refund("k", WINDOW, START + 5)
    assert await counters.hit("k", WINDOW, START + 6) == 3


async def test_a_refund_never_goes_below_zero(counters: RateLimitCounters) -> None:
    await counters.refund("k", WINDOW, START)
    await counters.hit("k", WINDOW, START)
    await counters.refund("k", WINDOW, START)
    await counters.refund("k", WINDOW, START)
    assert await counters.hit("k", WINDOW, START) == 1


async def test_a_refund_touches_only_its_own_window_and_key(counters: RateLimitCounters) -> None:
    await counters.hit("k", WINDOW, START)
    await counters.hit("other", WINDOW, START)
    await counters.refund("other", WINDOW, START)
    assert await counters.hit("k", WINDOW, START) == 2
    await counters.hit("k", WINDOW, START + WINDOW)
    # Late, for the window it was counted in (the attempt took a while): the new one keeps its.
    await counters.refund("k", WINDOW, START + WINDOW - 1)
    assert await counters.hit("k", WINDOW, START + WINDOW) == 2


async def test_concurrent_hits_and_refunds_add_up(counters: RateLimitCounters) -> None:
    await asyncio.gather(*(counters.hit("k", WINDOW, START) for _ in range(30)))
    await asyncio.gather(*(counters.refund("k", WINDOW, START) for _ in range(20)))
    assert await counters.hit("k", WINDOW, START) == 11


async def test_a_redis_refund_of_an_expired_counter_creates_nothing(redis_url: str) -> None:
    client: Redis = create_redis_client(redis_url)
    namespace = f"test-{uuid.uuid4().hex}"
    try:
        await RedisRateLimitCounters(client, namespace=namespace).refund("k", WINDOW, START)
        assert await client.keys(f"{namespace}:*") == []
    finally:
        await client.aclose()


async def test_memory_counters_forget_past_windows() -> None:
    counters = InMemoryRateLimitCounters()
    for key in range(100):
        await counters.hit(f"k{key}", WINDOW, START)
    await counters.hit("later", WINDOW, START + WINDOW)
    assert len(counters._counts) == 1


async def test_redis_counters_expire_with_their_window(redis_url: str) -> None:
    client: Redis = create_redis_client(redis_url)
    namespace = f"test-{uuid.uuid4().hex}"
    try:
        await RedisRateLimitCounters(client, namespace=namespace).hit("k", WINDOW, START)
        [key] = await client.keys(f"{namespace}:*")
        assert key == f"{namespace}:rl:k:{START}".encode()
        assert 0 < await client.ttl(key) <= WINDOW + 1
    finally:
        await client.aclose()
