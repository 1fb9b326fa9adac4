"""Graceful shutdown: a request in flight when shutdown begins still gets its answer.

uvicorn runs in a thread on a free loopback port, configured exactly as `dev` and `serve` run
it; the request waits on a gate inside a handler, so the order of events is fixed, not timed.
"""

import asyncio
import dataclasses
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from dependency_injector import providers

from entrypoints.cli import server_config
from entrypoints.container import Container
from entrypoints.settings import Settings
from entrypoints.web.app import create_app
from entrypoints.web.readiness import Readiness
from tests.http.conftest import dev_settings

LOOPBACK = "127.0.0.1"
BOUND_S = 15.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
    except OSError:
        return True
    return False


class Gate:
    """A readiness check that holds its request until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self._open: Callable[[], object] | None = None

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        opened = asyncio.Event()
        self._open = lambda: loop.call_soon_threadsafe(opened.set)
        self.entered.set()
        await opened.wait()

    def open(self) -> None:
        assert self._open is not None
        self._open()


async def migrate(settings: Settings) -> None:
    # On a container of its own: its engine belongs to this event loop, not the server's.
    container = Container(settings=settings)
    await container.upgrade_schema()
    await container.engine().dispose()


def test_a_request_in_flight_completes_when_shutdown_begins(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind((LOOPBACK, 0))
    port = listener.getsockname()[1]
    settings = dataclasses.replace(dev_settings(tmp_path), host=LOOPBACK, port=port)
    asyncio.run(migrate(settings))
    container = Container(settings=settings)
    gate = Gate()
    container.readiness.override(providers.Object(Readiness([("gate", gate.wait)])))
    server = uvicorn.Server(server_config(settings, create_app(container)))
    assert server.config.timeout_graceful_shutdown == 30
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, "the server to start")
        with ThreadPoolExecutor(max_workers=1) as pool:
            in_flight = pool.submit(httpx.get, f"http://{LOOPBACK}:{port}/readyz", timeout=BOUND_S)
            assert gate.entered.wait(BOUND_S), "the request never reached the handler"

            server.should_exit = True  # what SIGTERM does
            wait_until(lambda: refuses_connections(port), "shutdown to stop accepting")
            assert not in_flight.done()
            assert thread.is_alive(), "the server must wait for the request in flight"

            gate.open()
            response = in_flight.result(timeout=BOUND_S)
        assert response.status_code == 200
        assert response.json() == {"status": "ready"}
        thread.join(BOUND_S)
        assert not thread.is_alive()
        assert container.corbado_http_client().is_closed, "the lifespan closed the client"
    finally:
        server.force_exit = True  # only matters when an assertion above failed
        thread.join(BOUND_S)
