"""How handlers reach the container: a parameter named after a provider gets what it provides.

Every provider is asked on every request, so a test's override applies at once. Guards, which
Litestar does not inject, are built by factories that take the providers they call
(`bearer_guard`, `rate_limit_guard`).
"""

from __future__ import annotations

from typing import Any

from dependency_injector import providers
from litestar.di import Provide

from entrypoints.container import Container


def container_dependencies(container: Container) -> dict[str, Provide]:
    """A Litestar dependency per provider of `container`, under the provider's name."""
    return {name: _per_request(provider) for name, provider in container.providers.items()}


def _per_request(provider: providers.Provider[Any]) -> Provide:
    # Providers answer synchronously once the container is started (`started`).
    def resolve() -> Any:
        return provider()

    return Provide(resolve, sync_to_thread=False)
