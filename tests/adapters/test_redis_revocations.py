"""The Redis deny-list beyond the port's contract: shared by workers, expiring, failing loudly."""

import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio
from redis.exceptions import RedisError

from adapters.redis_connection import create_redis_client
from adapters.redis_revocations import (
    DEFAULT_RETENTION_MARGIN_S,
    Lookup,
    RedisRevokedSessions,
    RevocationStoreUnavailable,
)
from tests.support.servers import LOOPBACK, free_port

ACCESS_TOKEN_TTL_S = 930


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = create_redis_client(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def namespace() -> str:
    return f"test-{uuid.uuid4().hex}"


async def test_two_workers_share_one_deny_list(redis_url: str, namespace: str) -> None:
    first_client, second_client = create_redis_client(redis_url), create_redis_client(redis_url)
    try:
        first = RedisRevokedSessions(first_client, namespace)
        second = RedisRevokedSessions(second_client, namespace)
        now = int(time.time())

        await first.add("s1", until=now + ACCESS_TOKEN_TTL_S)
        await second.add("s2", until=now + 10)
        await first.add("s2", until=now + ACCESS_TOKEN_TTL_S)

        for worker in (first, second):
            assert await worker.contains("s1", now)
            assert await worker.contains("s2", now + 100)
            assert not await worker.contains("s3", now)
    finally:
        await first_client.aclose()
        await second_client.aclose()


async def test_an_entry_is_the_documented_key_and_lives_past_its_until(
    client: redis.asyncio.Redis, namespace: str
) -> None:
    until = int(time.time()) + ACCESS_TOKEN_TTL_S

    await RedisRevokedSessions(client, namespace).add("s1", until)

    key = f"{namespace}:deny:sid:s1"
    assert await client.get(key) == str(until).encode()
    expire_at = await client.expiretime(key)
    assert until + DEFAULT_RETENTION_MARGIN_S <= expire_at <= until + DEFAULT_RETENTION_MARGIN_S + 1


async def test_a_shorter_entry_neither_shortens_the_value_nor_the_expiry(
    client: redis.asyncio.Redis, namespace: str
) -> None:
    revoked = RedisRevokedSessions(client, namespace)
    now = int(time.time())
    key = f"{namespace}:deny:sid:s1"
    await revoked.add("s1", until=now + ACCESS_TOKEN_TTL_S)
    before = await client.expiretime(key)

    await revoked.add("s1", until=now + 10)

    assert await client.get(key) == str(now + ACCESS_TOKEN_TTL_S).encode()
    assert await client.expiretime(key) == before
    assert await revoked.contains("s1", now + 100)


async def test_an_entry_already_past_is_kept_only_for_the_margin(
    client: redis.asyncio.Redis, namespace: str
) -> None:
    revoked = RedisRevokedSessions(client, namespace, retention_margin_s=5)
    now = int(time.time())

    await revoked.add("s1", until=now - 60)

    assert not await revoked.contains("s1", now)
    assert 0 < await client.ttl(f"{namespace}:deny:sid:s1") <= 6


async def test_namespaces_do_not_see_each_other(client: redis.asyncio.Redis) -> None:
    ours = RedisRevokedSessions(client, f"ours-{uuid.uuid4().hex}")
    theirs = RedisRevokedSessions(client, f"theirs-{uuid.uuid4().hex}")

    await ours.add("s1", until=int(time.time()) + ACCESS_TOKEN_TTL_S)

    assert not await theirs.contains("s1", int(time.time()))


async def test_an_unreachable_redis_is_a_clear_error_on_every_operation() -> None:
    client = create_redis_client(f"redis://{LOOPBACK}:{free_port()}/0")
    revoked = RedisRevokedSessions(client)
    now = int(time.time())
    operations = [
        revoked.add("s1", until=now + ACCESS_TOKEN_TTL_S),
        revoked.add_many(["s1", "s2"], until=now + ACCESS_TOKEN_TTL_S),
        revoked.contains("s1", now),
        revoked.lookup("s1", now),
        revoked.is_complete(),
        revoked.mark_complete(),
    ]
    try:
        started = time.monotonic()
        causes = []
        for operation in operations:
            with pytest.raises(RevocationStoreUnavailable) as failed:
                await operation
            causes.append(failed.value.__cause__)
        elapsed = time.monotonic() - started
    finally:
        await client.aclose()

    assert all(isinstance(cause, RedisError) for cause in causes)
    assert elapsed < 5


def test_the_client_gives_up_quickly() -> None:
    client = create_redis_client(f"redis://{LOOPBACK}:6379/0")

    settings = client.connection_pool.connection_kwargs
    assert settings["socket_timeout"] == 1.0
    assert settings["socket_connect_timeout"] == 1.0
    assert settings["health_check_interval"] > 0
    retry = client.get_retry()
    assert retry is not None
    assert retry.get_retries() <= 1


async def test_many_entries_go_in_pipelines_and_keep_the_longer_expiry(
    client: redis.asyncio.Redis, namespace: str
) -> None:
    revoked = RedisRevokedSessions(client, namespace)
    now = int(time.time())
    ids = [f"s{number}" for number in range(2500)]  # more than one pipeline's worth
    await revoked.add("s7", until=now + 2 * ACCESS_TOKEN_TTL_S)

    await revoked.add_many(ids, until=now + ACCESS_TOKEN_TTL_S)

    assert all([await revoked.contains(sid, now + ACCESS_TOKEN_TTL_S - 1) for sid in ids])
    assert (
        await client.get(f"{namespace}:deny:sid:s7") == str(now + 2 * ACCESS_TOKEN_TTL_S).encode()
    )
    assert await client.get(f"{namespace}:deny:sid:s2499") == str(now + ACCESS_TOKEN_TTL_S).encode()


async def test_a_lookup_also_says_whether_the_log_was_copied_in(
    client: redis.asyncio.Redis, namespace: str
) -> None:
    revoked = RedisRevokedSessions(client, namespace)
    now = int(time.time())
    await revoked.add("s1", until=now + 10)
    assert not await revoked.is_complete()
    assert await revoked.lookup("s1", now) == Lookup(denied=True, complete=False)

    await revoked.mark_complete()

    assert await client.get(f"{namespace}:deny:complete") == b"1"
    assert await revoked.is_complete()
    assert await revoked.lookup("s1", now) == Lookup(denied=True, complete=True)
    assert await revoked.lookup("s1", now + 10) == Lookup(denied=False, complete=True)
    assert await revoked.lookup("s2", now) == Lookup(denied=False, complete=True)
