"""Revocations reach every process and survive Redis: a deletion made by another process
reaches a `serve` without Redis at its follower's next round; a Redis that stops and comes back
empty never lets a revoked token through, nor answers 500 meanwhile, and is refilled from the
log when it is back. The follower's rounds are run by the tests (`Api.follow`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from dependency_injector import providers

from adapters.replicated_revocations import REVOCATIONS_LOGGER
from entrypoints.background import FOLLOWER_LOGGER
from entrypoints.configuration import Settings
from entrypoints.container import Container, started
from tests.fakes.fake_corbado import FAKE_PROJECT_ID, FakeCorbadoConnect
from tests.http.conftest import Api, dev_settings, running_app
from tests.support.servers import RedisServer, redis_server

EMAIL = "jane@example.com"


def bearer_statuses(api: Api, access_token: str) -> dict[str, int]:
    """The status of every operation that takes a Bearer token, called with `access_token`."""
    headers = api.bearer(access_token)
    client = api.client
    calls: dict[str, Any] = {
        "GET /auth/me": lambda: client.get("/auth/me", headers=headers),
        "GET /auth/sessions": lambda: client.get("/auth/sessions", headers=headers),
        "DELETE /auth/sessions/{id}": lambda: client.delete(
            "/auth/sessions/unknown", headers=headers
        ),
        "POST /auth/passkeys/deleted": lambda: client.post(
            "/auth/passkeys/deleted", json={"credentialId": "unknown"}, headers=headers
        ),
        "POST /auth/createConnectToken": lambda: client.post(
            "/auth/createConnectToken",
            json={"connectTokenType": "passkey-list"},
            headers=headers,
        ),
        "DELETE /auth/me": lambda: client.delete("/auth/me", headers=headers),
        "POST /auth/logout": lambda: client.post("/auth/logout", headers=headers),
    }
    return {name: call().status_code for name, call in calls.items()}


async def delete_in_another_process(settings: Settings, email: str) -> None:
    """`connect-backend users delete` as the CLI runs it: a container of its own."""
    container = Container(settings=settings)
    container.corbado.override(providers.Object(FakeCorbadoConnect()))
    async with started(container):
        await container.delete_account_as_operator().execute(email)


def test_a_deletion_by_another_process_reaches_every_bearer_route_at_the_next_round(
    tmp_path: Path,
) -> None:
    settings = dev_settings(tmp_path, corbado_project_id=FAKE_PROJECT_ID)
    with running_app(settings, fake_corbado=True) as api:
        api.register(EMAIL)
        access_token = api.login(EMAIL)["accessToken"]
        assert api.client.get("/auth/sessions", headers=api.bearer(access_token)).status_code == 200

        asyncio.run(delete_in_another_process(settings, EMAIL))
        assert api.follow()

        statuses = bearer_statuses(api, access_token)
    assert statuses == dict.fromkeys(statuses, 401)


def test_the_follower_reads_on_from_where_it_was_after_the_database_failed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = dev_settings(tmp_path, corbado_project_id=FAKE_PROJECT_ID)
    with running_app(settings, fake_corbado=True) as api:
        api.register(EMAIL)
        access_token = api.login(EMAIL)["accessToken"]
        asyncio.run(delete_in_another_process(settings, EMAIL))
        log = api.container.revocation_log()
        reads = log.revocations_after

        async def unreadable(cursor: int, limit: int) -> Any:
            raise OSError("disk gone")

        caplog.clear()  # what the set-up logged is not under test

        with caplog.at_level(logging.INFO, logger=FOLLOWER_LOGGER):
            log.revocations_after = unreadable  # type: ignore[method-assign]
            assert [api.follow() for _ in range(3)] == [False] * 3
            # (/auth/sessions reads no user: only the deny-list can refuse it.)
            assert (
                api.client.get("/auth/sessions", headers=api.bearer(access_token)).status_code
                == 200
            )
            log.revocations_after = reads  # type: ignore[method-assign]
            assert api.follow()

        assert api.client.get("/auth/sessions", headers=api.bearer(access_token)).status_code == 401
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == FOLLOWER_LOGGER]
    assert lines == [
        (logging.ERROR, "revocation log unreadable: retrying every round"),
        (logging.WARNING, "revocation log readable again"),
    ]


@pytest.fixture(scope="module")
def own_redis() -> Iterator[RedisServer]:
    """A redis-server these tests stop and start again (empty: it has no persistence)."""
    with redis_server() as server:
        yield server


def me(api: Api, access_token: str) -> int:
    return api.client.get("/auth/me", headers=api.bearer(access_token)).status_code


def test_redis_stopped_and_back_empty_never_lets_a_revoked_token_through(
    tmp_path: Path, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    raw = redis.Redis.from_url(own_redis.url, decode_responses=True)
    settings = dev_settings(tmp_path, redis_url=own_redis.url)
    with caplog.at_level(logging.INFO, logger=REVOCATIONS_LOGGER), running_app(settings) as api:
        api.register(EMAIL)
        logged_out, kept = api.login(EMAIL), api.login(EMAIL)
        logout = api.client.post("/auth/logout", headers=api.bearer(logged_out["accessToken"]))
        assert logout.status_code == 204
        assert [me(api, logged_out["accessToken"]), me(api, kept["accessToken"])] == [401, 200]

        own_redis.stop()
        while_away = [
            (me(api, logged_out["accessToken"]), me(api, kept["accessToken"])) for _ in range(20)
        ]
        ended_while_away = api.login(EMAIL)
        logout = api.client.post(
            "/auth/logout", headers=api.bearer(ended_while_away["accessToken"])
        )
        assert api.follow()  # Redis still away: nothing to heal yet
        assert me(api, ended_while_away["accessToken"]) == 401

        own_redis.start()
        assert raw.dbsize() == 0
        assert api.follow()

        back = [me(api, token["accessToken"]) for token in (logged_out, kept, ended_while_away)]
        denied_keys = sorted(raw.keys("connect-backend:deny:*"))
    raw.close()

    assert while_away == [(401, 200)] * 20
    assert logout.status_code == 204
    assert back == [401, 200, 401]
    # Both revocations copied back from the log, and the marker that says so.
    assert len(denied_keys) == 3
    assert "connect-backend:deny:complete" in denied_keys
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == REVOCATIONS_LOGGER]
    assert [level for level, _ in lines] == [logging.INFO, logging.ERROR, logging.WARNING]
    assert lines[0][1] == "Redis deny-list holds every live revocation again: 0 copied from the log"
    assert lines[2][1] == "Redis deny-list holds every live revocation again: 2 copied from the log"


def test_two_instances_share_a_logout_at_once_through_redis(
    tmp_path: Path, own_redis: RedisServer
) -> None:
    settings = dev_settings(tmp_path, redis_url=own_redis.url)
    with running_app(settings) as first, running_app(settings) as second:
        first.register(EMAIL)
        tokens = first.login(EMAIL)
        assert me(second, tokens["accessToken"]) == 200

        logout = first.client.post("/auth/logout", headers=first.bearer(tokens["accessToken"]))
        assert logout.status_code == 204

        # No round of the second instance's follower in between: Redis told it.
        assert me(second, tokens["accessToken"]) == 401
