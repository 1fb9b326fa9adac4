"""The container starts its resources in one event loop and stops them once."""

from pathlib import Path

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
