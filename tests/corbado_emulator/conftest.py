"""One Corbado emulator per test module, its clock reset for every test."""

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from corbado_emulator import create_emulator_app
from tests.corbado_emulator.emulator_support import API_SECRET, NOW, PROJECT_ID, Clock


@pytest.fixture(scope="module")
def shared_clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def app(shared_clock: Clock) -> Litestar:
    # One app (and one RSA key) for the module: every test mints its own data.
    return create_emulator_app(PROJECT_ID, API_SECRET, shared_clock)


@pytest.fixture
def clock(shared_clock: Clock) -> Clock:
    shared_clock.now = NOW
    return shared_clock


@pytest.fixture
async def emulator(app: Litestar, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test/v2") as c:
        yield c
