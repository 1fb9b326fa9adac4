"""The app `connect-backend dev` serves, as its granian worker builds it from the environment."""

from __future__ import annotations

import os

from litestar import Litestar
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.types import ControllerRouterHandler

from corbado_emulator.dev.demo import demo_handlers
from corbado_emulator.dev.hosts import loopback_hosts
from corbado_emulator.dev.mount import EMULATOR_MOUNT, mounted
from corbado_emulator.dev.outbox import outbox_route
from corbado_emulator.dev.wiring import reach_emulator
from entrypoints.asgi import json_logs, ready_to_serve, writing_queued_logs_at_shutdown
from entrypoints.configuration import Settings
from entrypoints.container import Container, configure_logging
from entrypoints.web.app import create_app


def dev_app_from_environment() -> Litestar:
    """The app `dev` runs, on the key and database the parent process prepared."""
    logs = configure_logging(json=json_logs("dev"), queued=True)
    app = dev_app(Container(settings=Settings.for_dev(os.environ)))
    return ready_to_serve(writing_queued_logs_at_shutdown(app, logs))


def dev_app(container: Container) -> Litestar:
    """The app `dev` serves: only to its loopback names with its port (DNS rebinding)."""
    return app_with_emulator(container, allowed_hosts=loopback_hosts(container.settings().port))


def app_with_emulator(
    container: Container, *, allowed_hosts: AllowedHostsConfig | None = None
) -> Litestar:
    """The API over `container`, with what dev adds where its settings ask for it: the emulator
    as its Corbado, mounted with the demo that uses it (`use_emulator`), and the outbox route
    (`mail_outbox`). Call it before the container starts."""
    extra: list[ControllerRouterHandler] = []
    outbox = container.mail_outbox()
    if outbox is not None:
        extra.append(outbox_route(outbox))
    emulator = reach_emulator(container)
    if emulator is not None:
        # The demo's passkey ceremonies use the emulator's Frontend API: no emulator, no demo.
        extra.extend([mounted(emulator), *demo_handlers()])
    return create_app(
        container,
        allowed_hosts=allowed_hosts,
        extra_handlers=extra,
        # The emulator's Frontend API has CORS of its own: any loopback origin, web-core's headers.
        own_cors_mounts=(EMULATOR_MOUNT,) if emulator is not None else (),
    )
