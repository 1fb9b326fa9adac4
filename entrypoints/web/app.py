"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router, asgi
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import Receive, Scope, Send

from entrypoints.container import Container
from entrypoints.web.bridge import from_container
from entrypoints.web.errors import EXCEPTION_HANDLERS
from entrypoints.web.routes.connect import complete_login, create_connect_token
from entrypoints.web.routes.discovery import healthz, jwks, readyz
from entrypoints.web.routes.sessions import login, logout, me, refresh, register

MAX_BODY_BYTES = 16 * 1024
EMULATOR_MOUNT = "/_emulator/corbado"
API_VERSION = "0.1.0"


def create_app(container: Container) -> Litestar:
    """The HTTP API over `container`; the container's overrides apply to every request."""
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
            ],
        ),
        jwks,
        healthz,
        readyz,
    ]
    emulator = container.corbado_emulator()
    if emulator is not None:
        handlers.append(_mount_emulator(emulator))
    return Litestar(
        route_handlers=handlers,
        dependencies={
            name: from_container(getattr(container, provider))
            for name, provider in DEPENDENCIES.items()
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=_openapi_config(),
        request_max_body_size=MAX_BODY_BYTES,
        lifespan=[_lifespan(container)],
    )


# Handler parameter name -> container provider name.
DEPENDENCIES = {
    "authenticate": "authenticate",
    "register": "register",
    "password_login": "password_login",
    "refresh_session": "refresh_session",
    "end_session": "end_session",
    "who_am_i": "who_am_i",
    "issue_connect_token": "issue_connect_token",
    "complete_login": "complete_login",
    "jwk_set": "jwk_set",
    "readiness": "readiness",
}


def _openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="connect-backend",
        version=API_VERSION,
        description="Passkey login through Corbado Connect, with ES256 sessions.",
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        render_plugins=[SwaggerRenderPlugin(version="5.18.2")],
        path="/schema",
    )


def _lifespan(container: Container) -> Any:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await container.restore_revocations().execute()
        container.password_login()  # hashes its decoy now rather than on the first login
        try:
            yield
        finally:
            await container.corbado_http_client().aclose()
            await container.engine().dispose()

    return lifespan


def _mount_emulator(emulator: Litestar) -> Any:
    @asgi(EMULATOR_MOUNT, is_mount=True, copy_scope=True, include_in_schema=False)
    async def corbado_emulator(scope: Scope, receive: Receive, send: Send) -> None:
        await emulator(scope, receive, send)

    return corbado_emulator
