"""More load than a pool can take is a 503 with Retry-After, never a 500; rate limits hold while
Redis is busy or gone; a failing dependency is one log line per incident, not one per request.

Real servers throughout: PostgreSQL (a schema of the session's server) with a pool shrunk to
what the test can hold, and Redis (the session's, or one of the test's own that it stops).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters import redis_connection
from adapters.rate_limit_events import RATE_LIMIT_LOGGER
from adapters.sql import engine as engine_module
from adapters.sql.engine import DATABASE_LOGGER
from entrypoints.configuration.settings import RateLimitSettings
from tests.http.conftest import PASSWORD, Api, LogLines, dev_settings, error_of, running_app
from tests.support.servers import create_postgres_schema, redis_server

LIMITS = RateLimitSettings(refresh_per_ip=3)
WINDOW = 60
# How long the pools wait before refusing, shrunk so that the tests need not wait seconds.
SHORT_WAIT_S = 0.05
METRIC = "connect_backend_rate_limit_local_counts_total"


def login(api: Api) -> Any:
    return api.client.post("/auth/login", json={"email": "jane@example.com", "password": PASSWORD})


def refresh(api: Api) -> Any:
    return api.client.post("/auth/refresh", json={"refreshToken": "unknown"})


def unique_window(api: Api) -> None:
    """A window no other test counts in: the tests share one Redis."""
    api.clock.set(2_000_000_000 + uuid.uuid4().int % 10**8 * WINDOW)


def assert_refused_as_overload(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert error_of(response) == "service_unavailable"
    assert response.headers["Retry-After"] == "5"


def assert_no_traceback(logs: LogLines) -> None:
    assert "Traceback" not in logs.text
    assert [r for r in logs.records() if "exception" in r] == []
    assert [r for r in logs.records() if r["logger"] == "connect_backend.http"] == []


def lines_of(logs: LogLines, logger: str, level: str) -> list[str]:
    return [r["event"] for r in logs.records() if r["logger"] == logger and r["level"] == level]


def metric(api: Api, name: str) -> float:
    for line in api.client.get("/metrics").text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exported")


class Held:
    """Pooled connections taken in the app's own event loop (where its pools live) and kept
    until `release`: every connection a flood of requests would be holding."""

    def __init__(self, api: Api, take: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._portal = api.client.blocking_portal
        self._release = asyncio.Event()
        taken = threading.Event()

        async def hold() -> None:
            async with take():
                taken.set()
                await self._release.wait()

        self._holder = self._portal.start_task_soon(hold)
        assert taken.wait(30), "the connections were never taken"

    def release(self) -> None:
        self._portal.call(self._release.set)
        self._holder.result(timeout=30)


@pytest.fixture
def postgres_api(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    # A pool of two connections per worker (one and one overflow) that waits briefly.
    monkeypatch.setattr(engine_module, "SERVER_POOL_SIZE", 1)
    monkeypatch.setattr(engine_module, "SERVER_POOL_MAX_OVERFLOW", 1)
    monkeypatch.setattr(engine_module, "SERVER_POOL_TIMEOUT_S", SHORT_WAIT_S)
    url = asyncio.run(create_postgres_schema(postgres_url))
    with running_app(dev_settings(tmp_path, database_url=url)) as api:
        yield api


def test_a_saturated_database_pool_is_503_with_retry_after_and_one_log_line(
    postgres_api: Api, json_logs: LogLines
) -> None:
    api = postgres_api
    api.register()
    refresh_token = api.login()["refreshToken"]
    engine = api.container.engine()

    @asynccontextmanager
    async def every_connection() -> AsyncIterator[None]:
        async with engine.connect(), engine.connect():
            yield

    held = Held(api, every_connection)
    try:
        for _ in range(3):
            assert_refused_as_overload(login(api))
        assert_refused_as_overload(
            api.client.post("/auth/refresh", json={"refreshToken": refresh_token})
        )
    finally:
        held.release()
    assert login(api).status_code == 200

    assert_no_traceback(json_logs)
    [exhausted] = lines_of(json_logs, DATABASE_LOGGER, "error")
    assert exhausted.startswith(
        "database connection pool exhausted, requests refused with 503: QueuePool limit"
    )
    assert [r["status"] for r in json_logs.records() if r.get("route") == "/auth/login"] == [
        200,
        503,
        503,
        503,
        200,
    ]


@pytest.fixture
def redis_api(tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    # A pool of two connections per worker that waits briefly for one to come free.
    monkeypatch.setattr(redis_connection, "POOL_MAX_CONNECTIONS", 2)
    monkeypatch.setattr(redis_connection, "POOL_TIMEOUT_S", SHORT_WAIT_S)
    with running_app(dev_settings(tmp_path, redis_url=redis_url, rate_limits=LIMITS)) as api:
        unique_window(api)
        yield api


def test_a_blocked_redis_pool_counts_in_memory_and_the_limit_still_refuses(
    redis_api: Api, json_logs: LogLines
) -> None:
    api = redis_api
    client = api.container.redis_client()
    assert client is not None
    pool = client.connection_pool

    @asynccontextmanager
    async def every_connection() -> AsyncIterator[None]:
        connections = [
            await pool.get_connection()  # type: ignore[no-untyped-call]
            for _ in range(pool.max_connections)
        ]
        try:
            yield
        finally:
            for connection in connections:
                await pool.release(connection)

    held = Held(api, every_connection)
    try:
        answers = [refresh(api) for _ in range(5)]
    finally:
        held.release()

    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429]
    assert error_of(answers[-1]) == "rate_limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= WINDOW
    assert metric(api, METRIC) == 5
    assert_no_traceback(json_logs)
    assert lines_of(json_logs, RATE_LIMIT_LOGGER, "error") == [
        "rate limit store failing: Redis could not count: ConnectionError"
    ]


def test_rate_limits_refuse_while_redis_is_stopped_and_say_so_once(
    tmp_path: Path, json_logs: LogLines
) -> None:
    with ExitStack() as redis_running:
        redis = redis_running.enter_context(redis_server())
        settings = dev_settings(tmp_path, redis_url=redis.url, rate_limits=LIMITS)
        with running_app(settings) as api:
            assert refresh(api).status_code == 401  # counted in Redis
            redis_running.close()  # Redis stops for good
            answers = [refresh(api) for _ in range(6)]
            local_counts = metric(api, METRIC)

    # Counted afresh in this process: the hit Redis holds is out of reach.
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429, 429]
    assert error_of(answers[-1]) == "rate_limited"
    assert "Retry-After" in answers[-1].headers
    assert local_counts == 6
    assert_no_traceback(json_logs)
    [failing] = lines_of(json_logs, RATE_LIMIT_LOGGER, "error")
    assert failing.startswith("rate limit store failing: Redis could not count")
