"""`dev`'s additions to the app, held here only until #32's `corbado_emulator` package (the
emulator's own house, with all of its dev wiring and the demo page) takes them over.

The Corbado emulator mounted at `EMULATOR_MOUNT` with its own CORS, dev's outbox at
`/_dev/outbox`, and dev's loopback `Host` check; each reaches the app through `create_app`'s
`allowed_hosts` and `extra_handlers`. The demo page is not served from here.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, asgi, get
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.types import Receive, Scope, Send

from entrypoints.container import Container
from entrypoints.web.app import create_app
from entrypoints.web.wire import Wire

EMULATOR_MOUNT = "/_emulator/corbado"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_HTTP_PORT = 80


def dev_app(container: Container) -> Litestar:
    """The app `dev` serves: only to its loopback names with its port (DNS rebinding).

    `dev` serves the emulator, whose `passkeyLogin` mints a login for any identifier. A page
    whose name an attacker makes resolve to 127.0.0.1 is same-origin with it, so were `dev` to
    answer any `Host`, that page could log in to any account of the developer's database.
    """
    return with_emulator(container, allowed_hosts=loopback_hosts(container.settings().port))


def with_emulator(
    container: Container, allowed_hosts: AllowedHostsConfig | None = None
) -> Litestar:
    """The app, with the emulator and the outbox where the container has them."""
    handlers: list[Any] = []
    if container.mail_outbox() is not None:
        outbox = container.mail_outbox
        handlers.append(
            get(
                "/_dev/outbox",
                include_in_schema=False,
                cache_control=CacheControlHeader(no_store=True),
                dependencies={"mail_outbox": Provide(lambda: outbox(), sync_to_thread=False)},
            )(_dev_outbox)
        )
    emulator = container.corbado_emulator()
    if emulator is not None:
        handlers.append(_mount_emulator(emulator))
    app = create_app(container, allowed_hosts=allowed_hosts, extra_handlers=handlers)
    if emulator is not None:
        _emulator_answers_its_own_cors(app)
    return app


def loopback_hosts(port: int) -> AllowedHostsConfig:
    """The `Host` values of a server on `port` of this machine: each loopback name with the
    port (on port 80 also without it, as clients leave the default port out)."""
    hosts = [f"{name}:{port}" for name in LOOPBACK_NAMES]
    if port == DEFAULT_HTTP_PORT:
        hosts.extend(LOOPBACK_NAMES)
    return AllowedHostsConfig(allowed_hosts=hosts, www_redirect=False)


class OutboxMail(Wire):
    """A mail `connect-backend dev` would have sent (its dev-only outbox)."""

    to: str
    purpose: str
    link: str
    sent_at: int


class OutboxResponse(Wire):
    mails: list[OutboxMail]


async def _dev_outbox(mail_outbox: NamedDependency[Any]) -> OutboxResponse:
    """dev's outbox, newest first: what the demo shows instead of a mailbox."""
    return OutboxResponse(
        mails=[
            OutboxMail(
                to=entry.mail.to,
                purpose=entry.mail.purpose.value,
                link=entry.mail.link,
                sent_at=entry.sent_at,
            )
            for entry in mail_outbox.entries()
        ]
    )


def _mount_emulator(emulator: Litestar) -> Any:
    @asgi(EMULATOR_MOUNT, is_mount=True, copy_scope=True, include_in_schema=False)
    async def corbado_emulator(scope: Scope, receive: Receive, send: Send) -> None:
        # Litestar hands a mount only the rest of the path; the emulator names its own URL
        # (the Frontend API's `frontendApiUrl`) by the ASGI convention instead: `root_path` is
        # where it is mounted and `path` the whole path.
        root_path = scope.get("root_path", "") + EMULATOR_MOUNT
        scope["root_path"], scope["path"] = root_path, root_path + scope["path"]
        await emulator(scope, receive, send)

    return corbado_emulator


def _emulator_answers_its_own_cors(app: Litestar) -> None:
    """Requests under the emulator's mount pass by `CORS_ALLOW_ORIGINS`' CORS.

    Litestar answers every preflight with an `Origin` before routing, by the app's CORS
    config; the emulator's Frontend API has its own (any loopback origin, web-core's headers),
    so its preflights must reach it. Everything else about those requests is as for any other.
    """
    if app.cors_config is None:
        return
    with_cors, without_cors = app.asgi_handler, wrap_in_exception_handler(app.asgi_router)

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if path == EMULATOR_MOUNT or path.startswith(EMULATOR_MOUNT + "/"):
            await without_cors(scope, receive, send)
        else:
            await with_cors(scope, receive, send)

    app.asgi_handler = route
