"""The Redis client's pool: bounded, and a request for a connection waits briefly when every one
is in use (a flood), instead of failing at once; then it is refused with a RedisError."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters import redis_connection
from adapters.redis_connection import create_redis_client

SHORT_WAIT_S = 0.05


@pytest.fixture
async def one_connection(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Redis, BlockingConnectionPool]]:
    monkeypatch.setattr(redis_connection, "POOL_MAX_CONNECTIONS", 1)
    client = create_redis_client(redis_url)
    pool = client.connection_pool
    assert isinstance(pool, BlockingConnectionPool)
    yield client, pool
    await client.aclose()


async def test_the_pool_is_bounded_and_waits_a_second_at_most(redis_url: str) -> None:
    client = create_redis_client(redis_url)
    try:
        pool = client.connection_pool
        assert isinstance(pool, BlockingConnectionPool)
        assert pool.max_connections == redis_connection.POOL_MAX_CONNECTIONS == 100
        # Well under the request deadline (15 s): the caller then answers 503 or counts locally.
        assert pool.timeout == redis_connection.POOL_TIMEOUT_S == 1.0
        assert await client.ping()
    finally:
        await client.aclose()


async def test_a_connection_given_back_goes_to_the_request_waiting_for_one(
    one_connection: tuple[Redis, BlockingConnectionPool],
) -> None:
    client, pool = one_connection
    held = await pool.get_connection()  # type: ignore[no-untyped-call]

    async def ping() -> bool:
        return bool(await client.ping())

    waiting = asyncio.create_task(ping())
    for _ in range(10):  # let it reach the pool and queue there
        await asyncio.sleep(0)
    assert not waiting.done()
    await pool.release(held)
    assert await waiting


async def test_a_request_no_connection_frees_up_for_is_refused_with_a_redis_error(
    one_connection: tuple[Redis, BlockingConnectionPool],
) -> None:
    client, pool = one_connection
    pool.timeout = SHORT_WAIT_S
    held = await pool.get_connection()  # type: ignore[no-untyped-call]
    try:
        with pytest.raises(RedisConnectionError, match="No connection available"):
            await client.get("k")
    finally:
        await pool.release(held)
    assert await client.ping()
