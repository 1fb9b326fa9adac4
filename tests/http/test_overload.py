"""More load than a pool can take is a 503 with Retry-After, never a 500; a failing dependency is
one log line per incident, not one per request.

Real servers throughout: PostgreSQL (a schema of the session's server) with a pool shrunk to
what the test can hold.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.sql import engine as engine_module
from adapters.sql.engine import DATABASE_LOGGER
from tests.http.conftest import PASSWORD, Api, LogLines, dev_settings, error_of, running_app
from tests.support.servers import create_postgres_schema

# How long the pools wait before refusing, shrunk so that the tests need not wait seconds.
SHORT_WAIT_S = 0.05


def login(api: Api) -> Any:
    return api.client.post("/auth/login", json={"email": "jane@example.com", "password": PASSWORD})


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
