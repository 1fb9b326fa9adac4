"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from entrypoints.background import start_task
from entrypoints.container import Container, started
from entrypoints.periodic_purge import start_periodic_purge
from entrypoints.web.dependencies import container_dependencies
from entrypoints.web.errors import EXCEPTION_HANDLERS
from entrypoints.web.observability import observe
from entrypoints.web.openapi_docs import API_DESCRIPTION, TAGS
from entrypoints.web.openapi_finish import FinishedOpenAPIConfig
from entrypoints.web.operations import operational_options, request_observability
from entrypoints.web.pages import OfflineSwaggerUI, docs_asset
from entrypoints.web.routes.account import (
    delete_account,
    end_session,
    list_sessions,
    passkey_deleted,
    revocations,
)
from entrypoints.web.routes.connect import complete_login, create_connect_token
from entrypoints.web.routes.discovery import healthz, jwks, readyz
from entrypoints.web.routes.email import (
    complete_recovery,
    request_email_verification,
    request_recovery,
    verify_email,
)
from entrypoints.web.routes.metrics import metrics
from entrypoints.web.routes.sessions import login, logout, me, refresh, register
from entrypoints.web.routing import complete_options_allow
from entrypoints.web.wire import JsonRequest

MAX_BODY_BYTES = 16 * 1024
API_VERSION = "0.1.0"


def create_app(
    container: Container,
    *,
    allowed_hosts: AllowedHostsConfig | None = None,
    extra_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """The HTTP API over `container`; the container's overrides apply to every request.

    With `allowed_hosts`, it answers only those `Host` values. `extra_handlers` are served
    beside the API, each declaring its own dependencies: `dev` adds the Corbado emulator's
    mount, the demo and the outbox (`corbado_emulator.dev`); `serve` adds nothing.
    """
    handlers: list[Any] = [
        Router(
            "/auth",
            route_handlers=[
                register,
                login,
                refresh,
                logout,
                me,
                create_connect_token,
                complete_login,
                list_sessions,
                end_session,
                passkey_deleted,
                delete_account,
                revocations,
                request_email_verification,
                verify_email,
                request_recovery,
                complete_recovery,
            ],
        ),
        jwks,
        healthz,
        readyz,
        metrics,
        docs_asset,
        *extra_handlers,
    ]
    options = operational_options(container, allowed_hosts)
    app = Litestar(
        route_handlers=handlers,
        dependencies=container_dependencies(container),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=_openapi_config(),
        request_max_body_size=MAX_BODY_BYTES,
        request_class=JsonRequest,
        lifespan=[_lifespan(container)],
        **options,
    )
    observe(app, request_observability(container))
    return complete_options_allow(app)


def _openapi_config() -> OpenAPIConfig:
    return FinishedOpenAPIConfig(
        title="connect-backend",
        version=API_VERSION,
        summary="Passkey login through Corbado Connect, with ES256 sessions.",
        description=API_DESCRIPTION,
        tags=TAGS,
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An access token from `login`, `completeLogin` or `refresh`.",
                ),
                "RevocationFeedSecret": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="The shared REVOCATION_FEED_SECRET, for the app's own APIs.",
                ),
            }
        ),
        # The first render plugin is also served at /schema; its assets from our own origin.
        render_plugins=[OfflineSwaggerUI()],
        path="/schema",
    )


def _lifespan(container: Container) -> Any:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        async with started(container):
            follower = container.revocation_follower()
            await follower.catch_up()
            stop_following = start_task(follower.run, "revocation-follower")
            stop_purge = start_periodic_purge(container.periodic_purge())
            try:
                yield
            finally:
                await stop_purge()
                await stop_following()

    return lifespan
