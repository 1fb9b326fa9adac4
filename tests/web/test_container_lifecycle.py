"""The container starts its resources in one event loop and stops them once."""

import asyncio
import inspect
import os
import subprocess
import sys
from pathlib import Path

import httpx
from dependency_injector import providers

from entrypoints.configuration import Settings
from entrypoints.container import Container, started


async def test_resources_live_while_started_and_close_at_the_end(tmp_path: Path) -> None:
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    async with started(container):
        client = container.corbado_http_client()
        assert not client.is_closed
    assert client.is_closed


async def test_a_nested_start_leaves_the_resources_to_the_outer_one(tmp_path: Path) -> None:
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    async with started(container):
        client = container.corbado_http_client()
        async with started(container) as inner:
            assert inner.corbado_http_client() is client
        assert not client.is_closed
    assert client.is_closed


async def test_started_providers_answer_synchronously(tmp_path: Path) -> None:
    # The hot path calls providers per request: no provider may hand back an awaitable.
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    async with started(container):
        for value in (
            container.engine(),
            container.corbado_http_client(),
            container.background_work(),
            container.sessions(),
            container.revoked_sessions(),
            container.send_email_link(),
            container.metered_corbado(),
        ):
            assert not inspect.isawaitable(value)


async def test_background_work_is_drained_before_the_resources_it_uses_close(
    tmp_path: Path,
) -> None:
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    seen: list[bool] = []
    async with started(container):
        client = container.corbado_http_client()
        release = asyncio.Event()

        async def work() -> None:
            await release.wait()
            seen.append(client.is_closed)

        container.background_work().start(work, "checks the client")
        asyncio.get_running_loop().call_soon(release.set)
    assert seen == [False]
    assert client.is_closed


async def test_a_container_starts_again_after_it_stopped(tmp_path: Path) -> None:
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    async with started(container):
        first = container.corbado_http_client()
    async with started(container):
        second = container.corbado_http_client()
        assert second is not first
        assert not second.is_closed
    assert first.is_closed
    assert second.is_closed


async def test_a_resource_given_beforehand_is_neither_started_nor_taken_back(
    tmp_path: Path,
) -> None:
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    given = httpx.AsyncClient()
    container.corbado_http_client.override(providers.Object(given))
    async with started(container):
        assert container.corbado_http_client() is given
    assert container.corbado_http_client() is given
    assert not given.is_closed
    await given.aclose()


async def test_an_override_put_on_a_started_resource_outlives_the_teardown(
    tmp_path: Path,
) -> None:
    container = Container(settings=Settings.for_dev({}, state_dir=tmp_path))
    given = httpx.AsyncClient()
    async with started(container):
        container.corbado_http_client.override(providers.Object(given))
    assert container.corbado_http_client() is given
    await given.aclose()


def test_resources_start_in_one_order_whatever_the_hash_seed() -> None:
    # Each after what it is built from (the engine after tracing, the background work after
    # everything it uses), the rest as the container declares them; teardown is the reverse.
    script = (
        "from entrypoints.configuration import Settings\n"
        "from entrypoints.container import Container\n"
        "from entrypoints.container.lifecycle import in_dependency_order\n"
        "container = Container(settings=Settings.for_dev({}))\n"
        "names = {id(p): n for n, p in container.providers.items()}\n"
        "print(' '.join(names[id(r)] for r in in_dependency_order(container)))\n"
    )
    orders = {
        tuple(
            subprocess.run(  # noqa: S603 - this interpreter, a fixed script
                [sys.executable, "-c", script],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONHASHSEED": str(seed)},
            ).stdout.split()
        )
        for seed in (1, 5)
    }
    assert orders == {
        ("tracing", "redis_client", "corbado_http_client", "engine", "background_work")
    }
