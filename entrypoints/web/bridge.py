"""The bridge from dependency-injector providers to Litestar's dependency injection."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from litestar.di import Provide


def from_container(provider: Callable[[], object]) -> Provide:
    """A Litestar dependency that asks the container on every request (so overrides apply)."""

    async def resolve() -> Any:
        instance = provider()
        return await instance if inspect.isawaitable(instance) else instance

    return Provide(resolve)
