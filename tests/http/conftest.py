"""The real app on a fresh SQLite file, with the clock (and, where asked, Corbado) swapped."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from argon2 import PasswordHasher as Argon2
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from adapters.argon2_hasher import Argon2PasswordHasher
from adapters.observability.logs import configure_logging
from adapters.tokens.signing_keys import generate_private_key_pem
from corbado_emulator.dev.asgi import app_with_emulator
from entrypoints.configuration import Settings
from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.container import Container, builders, started
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_corbado import FAKE_PROJECT_ID, FakeCorbadoConnect

PASSWORD = "correct horse battery"
# Tests that are not about rate limits send hundreds of requests from one client.
NO_RATE_LIMITS = RateLimitSettings(
    login_per_ip=1_000_000,
    login_per_account=1_000_000,
    register_per_ip=1_000_000,
    refresh_per_ip=1_000_000,
    passkey_per_ip=1_000_000,
    email_per_ip=1_000_000,
    mail_per_account_per_hour=1_000_000,
)
FAST_ARGON2 = Argon2(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class Api:
    """A running app and the handles a test needs to steer it."""

    client: TestClient[Any]
    container: Container
    clock: FakeClock
    corbado: FakeCorbadoConnect | None

    def register(self, email: str = "jane@example.com", name: str = "Jane Doe") -> Any:
        body = {"email": email, "password": PASSWORD, "displayName": name}
        response = self.client.post("/auth/register", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def login(self, email: str = "jane@example.com") -> dict[str, Any]:
        response = self.client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    def bearer(self, access_token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {access_token}"}

    def follow(self) -> bool:
        """One round of the revocation log's follower, in the app's event loop (the app's own
        follower task never runs a round by itself here); whether it succeeded."""
        follower = self.container.revocation_follower()
        succeeded: bool = self.client.blocking_portal.call(follower.run_round)
        return succeeded


async def rounds_only_when_asked(stop: asyncio.Event, seconds: float) -> bool:
    """The follower's wait in these tests: until the stop, so that a round runs only when a
    test calls `Api.follow` (no database statement of its own in the middle of a test)."""
    await stop.wait()
    return True


def dev_settings(state_dir: Path, **changes: Any) -> Settings:
    """`dev`'s settings, without rate limits unless `changes` sets `rate_limits`."""
    settings = Settings.for_dev({}, state_dir=state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    settings.signing_keys_path.write_text(generate_private_key_pem(), encoding="ascii")
    return dataclasses.replace(settings, **{"rate_limits": NO_RATE_LIMITS, **changes})


@contextmanager
def running_app(
    settings: Settings,
    *,
    fake_corbado: bool = False,
    wrap: Callable[[Litestar], Any] | None = None,
    tracing: Any = None,
    build: Callable[[Container], Litestar] = app_with_emulator,
) -> Iterator[Api]:
    """Migrate, wire the fakes, start the app with its lifespan, and stop it afterwards.

    `wrap` puts an ASGI app around ours (to play a proxy, say); `tracing` replaces what the
    `OTEL_*` variables would build; `build` makes the app of the container: by default with
    dev's additions its settings ask for (the emulator, the demo, the outbox), but on any
    `Host` (`dev_app` answers only loopback names).
    """
    asyncio.run(_migrate(settings))
    container = Container(settings=settings)
    clock = FakeClock(int(time.time()))
    container.clock.override(providers.Object(clock))
    container.password_hasher.override(providers.Object(Argon2PasswordHasher(FAST_ARGON2)))
    corbado = FakeCorbadoConnect() if fake_corbado else None
    if corbado is not None:
        container.corbado.override(providers.Object(corbado))
    if tracing is not None:
        container.tracing.override(providers.Object(tracing))
    container.revocation_follower.override(
        providers.Singleton(
            builders.revocation_follower,
            container.follow_revocations,
            container.revoked_sessions,
            wait=rounds_only_when_asked,
        )
    )
    app = build(container)
    with TestClient(app=wrap(app) if wrap else app, raise_server_exceptions=False) as client:
        yield Api(client=client, container=container, clock=clock, corbado=corbado)


async def _migrate(settings: Settings) -> None:
    async with started(Container(settings=settings)) as container:
        await container.upgrade_schema()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """The app as `dev` runs it: the emulator behind the real httpx adapter."""
    with running_app(dev_settings(tmp_path)) as running:
        yield running


@pytest.fixture
def fake_corbado_api(tmp_path: Path) -> Iterator[Api]:
    """The app with a scripted Corbado, for failure paths the emulator cannot produce."""
    settings = dev_settings(tmp_path, corbado_project_id=FAKE_PROJECT_ID)
    with running_app(settings, fake_corbado=True) as running:
        yield running


class LogLines:
    """What the service's logging pipeline wrote, one JSON object per line."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def json_logs() -> Iterator[LogLines]:
    """The production logging pipeline (`configure_logging`), writing into a buffer."""
    lines = LogLines()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(json=True, stream=lines.stream)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        structlog.reset_defaults()


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("message"), str)
    code: str = body["error"]
    return code
