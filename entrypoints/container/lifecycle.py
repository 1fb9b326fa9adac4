"""Starting and stopping the container: its resources live inside one event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast

from dependency_injector import providers

if TYPE_CHECKING:
    from entrypoints.container import Container


@asynccontextmanager
async def started(container: Container) -> AsyncIterator[Container]:
    """`container` with its resources (database engine, Redis, HTTP client) started, and torn
    down on exit, in the event loop that uses them. Inside another `started` of the same
    container it changes nothing: the outer one owns the resources."""
    resources = list(container.traverse(types=[providers.Resource]))
    if all(resource.initialized for resource in resources):
        yield container
        return
    await cast(Awaitable[None], container.init_resources())
    # Async resources put every provider that depends on them in async mode, where each call
    # returns a new Future: once they exist, providers answer synchronously, as on a request's
    # hot path they must. Their teardown is async again.
    provider: providers.Provider[Any]
    for provider in container.traverse():
        provider.disable_async_mode()
    try:
        yield container
    finally:
        for resource in resources:
            resource.enable_async_mode()
        await cast(Awaitable[None], container.shutdown_resources())
