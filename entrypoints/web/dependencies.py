"""How handlers reach the container: a parameter named after a provider gets what it provides.

Every provider is asked on every request, so a test's override applies at once. The route
policies (`policies.py`), which Litestar does not inject, are built by a factory that takes the
providers they call. The handlers of the hot paths name one provider each: Litestar resolves
two or more independent dependencies in an anyio task group, which costs more than the rest of
a small request.
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
