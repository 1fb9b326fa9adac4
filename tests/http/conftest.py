"""The real app on a fresh SQLite file, with the clock (and, where asked, Corbado) swapped."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher as Argon2
from dependency_injector import providers
from litestar.testing import TestClient

from adapters.argon2_hasher import Argon2PasswordHasher
from adapters.tokens.signing_keys import generate_private_key_pem
from entrypoints.container import Container
from entrypoints.settings import Settings
from entrypoints.web.app import create_app
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_corbado import FAKE_PROJECT_ID, FakeCorbadoConnect

PASSWORD = "correct horse battery"
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


def dev_settings(state_dir: Path, **changes: Any) -> Settings:
    settings = Settings.for_dev({}, state_dir=state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    settings.signing_keys_path.write_text(generate_private_key_pem(), encoding="ascii")
    return dataclasses.replace(settings, **changes)


@contextmanager
def running_app(settings: Settings, *, fake_corbado: bool = False) -> Iterator[Api]:
    """Migrate, wire the fakes, start the app with its lifespan, and stop it afterwards."""
    asyncio.run(_migrate(settings))
    container = Container(settings=settings)
    clock = FakeClock(int(time.time()))
    container.clock.override(providers.Object(clock))
    container.password_hasher.override(providers.Object(Argon2PasswordHasher(FAST_ARGON2)))
    corbado = FakeCorbadoConnect() if fake_corbado else None
    if corbado is not None:
        container.corbado.override(providers.Object(corbado))
    with TestClient(app=create_app(container), raise_server_exceptions=False) as client:
        yield Api(client=client, container=container, clock=clock, corbado=corbado)


async def _migrate(settings: Settings) -> None:
    container = Container(settings=settings)
    await container.upgrade_schema()
    await container.engine().dispose()


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


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("message"), str)
    code: str = body["error"]
    return code
