"""The emulator as dev's Corbado: built from dev's settings and reached in-process by the
container's Corbado client, the same httpx adapter production uses."""

from __future__ import annotations

from typing import Any, cast

import httpx
from dependency_injector import providers
from litestar import Litestar

from corbado_emulator.app import create_emulator_app
from entrypoints.container import Container


def reach_emulator(container: Container) -> Litestar | None:
    """The emulator `container`'s settings ask for (`use_emulator`), now the one its Corbado
    client calls; None, and the container unchanged, when they ask for none.

    Call it before the container starts: the client is built when it does. Users, identifiers
    and passkeys are kept in `emulator_state_path`, so `dev` and dev's `users delete` share them.
    """
    settings = container.settings()
    if not settings.use_emulator:
        return None
    emulator = create_emulator_app(
        settings.corbado_project_id,
        settings.corbado_api_secret,
        state_path=settings.emulator_state_path,
        cors_origins=settings.cors_allow_origins,
    )
    transport = httpx.ASGITransport(app=cast(Any, emulator))
    container.corbado_transport.override(providers.Object(transport))
    return emulator
