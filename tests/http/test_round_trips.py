"""How many database and Redis round trips each hot request makes: pinned, so none is added unseen.

Counted on the real engine (SQLAlchemy's `before_cursor_execute`, plus pool checkouts), on
PostgreSQL also at asyncpg itself (every exchange with the server, BEGIN and COMMIT included:
`tests/support/postgres_round_trips.py`), and on the real Redis client's connection (every
packed command sent, so a pipeline counts once), with the app wired as `serve` wires it. These
are counts, not timings: a change that adds a round trip to a login, a refresh, a passkey login,
a connect token or `/auth/me` fails here and has to say why in docs/performance.md.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio.connection import AbstractConnection
from sqlalchemy import event

from tests.fakes.fake_corbado import FAKE_PROJECT_ID
from tests.http.conftest import Api, dev_settings, running_app
from tests.support.postgres_round_trips import counting_postgres_round_trips
from tests.support.servers import create_postgres_schema


class RoundTrips:
    """Counts per kind ("sql", "checkout", "postgres", "redis") since the last `take`."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def take(self) -> dict[str, int]:
        taken = {kind: count for kind, count in self.counts.items() if count}
        self.counts.clear()
        return taken


@pytest.fixture(params=["sqlite", "postgresql+redis"])
def counted(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Api, RoundTrips, str]]:
    trips = RoundTrips()
    changes: dict[str, Any] = {"corbado_project_id": FAKE_PROJECT_ID}
    if request.param == "postgresql+redis":
        admin_url = request.getfixturevalue("postgres_url")
        changes |= {
            "database_url": asyncio.run(create_postgres_schema(admin_url)),
            "redis_url": request.getfixturevalue("redis_url"),
        }
    send = AbstractConnection.send_packed_command

    async def counting_send(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        trips.counts["redis"] += 1
        await send(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
    with (
        counting_postgres_round_trips(trips.counts, monkeypatch),
        running_app(dev_settings(tmp_path, **changes), fake_corbado=True) as api,
    ):
        engine = api.container.engine().sync_engine
        event.listen(engine, "before_cursor_execute", lambda *_: trips.counts.update(["sql"]))
        event.listen(engine.pool, "checkout", lambda *_: trips.counts.update(["checkout"]))
        yield api, trips, request.param


# Per request, on each backend, once every statement was prepared on the connection (the first
# use of a statement on a pooled PostgreSQL connection costs one PREPARE more). SQLite has no
# Redis (in-process deny-list and counters) and no pre-ping; its write transactions start with
# BEGIN IMMEDIATE, counted as a statement. On PostgreSQL "postgres" is every exchange with the
# server: a single-statement read or write runs in autocommit, with no BEGIN and COMMIT around
# it (`adapters.sql.engine.OneStatement`), and a ping would add one after the connection sat
# idle (adapters/sql/idle_ping.py). Redis holds the rate-limit windows and the deny-list.
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "sqlite": {
        "login": {"sql": 3, "checkout": 2},
        "refresh": {"sql": 3, "checkout": 2},
        "complete_login": {"sql": 3, "checkout": 2},
        "connect_token": {"sql": 2, "checkout": 1},
        "me": {},
    },
    "postgresql+redis": {
        "login": {"sql": 2, "checkout": 2, "postgres": 2, "redis": 5},
        "refresh": {"sql": 2, "checkout": 2, "postgres": 2, "redis": 1},
        "complete_login": {"sql": 2, "checkout": 2, "postgres": 2, "redis": 1},
        "connect_token": {"sql": 1, "checkout": 1, "postgres": 1, "redis": 2},
        "me": {"redis": 1},
    },
}


def test_each_hot_request_makes_a_pinned_number_of_round_trips(
    counted: tuple[Api, RoundTrips, str],
) -> None:
    api, trips, backend = counted
    assert api.corbado is not None
    api.register()
    for _ in range(2):  # the first round prepares each statement on the pooled connection
        trips.take()
        seen = hot_requests(api, trips)
    assert seen == EXPECTED[backend]


def hot_requests(api: Api, trips: RoundTrips) -> dict[str, dict[str, int]]:
    assert api.corbado is not None
    seen: dict[str, dict[str, int]] = {}
    tokens = api.login()
    seen["login"] = trips.take()
    refreshed = api.client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refreshed.status_code == 200, refreshed.text
    seen["refresh"] = trips.take()
    signed = api.corbado.mint("jane@example.com")
    completed = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert completed.status_code == 200, completed.text
    seen["complete_login"] = trips.take()
    bearer = api.bearer(refreshed.json()["accessToken"])
    issued = api.client.post(
        "/auth/createConnectToken", json={"connectTokenType": "passkey-list"}, headers=bearer
    )
    assert issued.status_code == 200, issued.text
    seen["connect_token"] = trips.take()
    me = api.client.get("/auth/me", headers=bearer)
    assert me.status_code == 200, me.text
    seen["me"] = trips.take()
    return seen
