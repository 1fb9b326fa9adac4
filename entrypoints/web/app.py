"""The Litestar application factory: the controllers, the lifespan, and what makes the app fit
to run on the internet.

The route policies (`policies.py`: a body's media type, the route's rate limit, Bearer
authentication and the browser transport's origin check, in that order, as one
`before_request` hook), browser headers and CORS, no logging configuration of Litestar's own
(`adapters.observability.logs` owns logging), and the request observability wrapper
(`observability.py`) around the whole app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, Router
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.cors import CORSConfig
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, ControllerRouterHandler, Message, Scope

from entrypoints.background import start_periodic_purge, start_task
from entrypoints.container import Container, started
from entrypoints.web.account import AccountController
from entrypoints.web.email import EmailController
from entrypoints.web.errors import (
    CORS_REJECTED,
    EXCEPTION_HANDLERS,
    HOST_NOT_ALLOWED,
    error_response,
)
from entrypoints.web.framework_repairs import (
    AllowedHostsOnly,
    complete_options_allow,
    json_refused_preflights,
    mounts_answer_their_own_cors,
)
from entrypoints.web.observability import (
    REQUEST_ID_HEADER,
    ClientAddresses,
    RequestObservability,
    observe,
    request_id_of,
)
from entrypoints.web.openapi import PAGE_CSP, docs_asset, openapi_config
from entrypoints.web.operations import DiscoveryController, HealthController
from entrypoints.web.passkeys import PasskeysController
from entrypoints.web.policies import (
    SESSION_TRANSPORT,
    browser_origins,
    class_limits,
    route_policies,
)
from entrypoints.web.sessions import SessionsController
from entrypoints.web.wire import JsonRequest, with_providers

MAX_BODY_BYTES = 16 * 1024
# In the order of the OpenAPI document's paths. Under one router: Litestar 2 refuses a second
# controller on a path another one registered on the app (both bring an OPTIONS handler), and
# two share `/auth/me`.
AUTH_CONTROLLERS: tuple[ControllerRouterHandler, ...] = (
    SessionsController,
    PasskeysController,
    AccountController,
    EmailController,
)


def create_app(
    container: Container,
    *,
    allowed_hosts: AllowedHostsConfig | None = None,
    extra_handlers: Sequence[ControllerRouterHandler] = (),
    own_cors_mounts: Collection[str] = (),
) -> Litestar:
    """The HTTP API over `container`; the container's overrides apply to every request.

    With `allowed_hosts` it answers only those `Host` values (`dev`: its loopback names).
    `extra_handlers` (`dev`'s emulator and demo) join the app's own; each declares its own
    dependencies, or is a `wire.ContainerController` naming the providers it uses. Requests
    under `own_cors_mounts`, the paths of mounted apps with CORS rules of their own (`dev`'s
    emulator), pass by `CORS_ALLOW_ORIGINS`' CORS and are otherwise served as any other.
    """
    app = Litestar(
        route_handlers=[
            Router("/auth", route_handlers=with_providers(container, AUTH_CONTROLLERS)),
            *with_providers(container, [DiscoveryController, HealthController, docs_asset]),
            *with_providers(container, extra_handlers),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=openapi_config(),
        request_max_body_size=MAX_BODY_BYTES,
        request_class=JsonRequest,
        lifespan=[_lifespan(container)],
        **operational_options(container, allowed_hosts),
    )
    mounts_answer_their_own_cors(app, own_cors_mounts)
    observe(app, request_observability(container))
    return complete_options_allow(app)


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


def operational_options(
    container: Container, allowed_hosts: AllowedHostsConfig | None = None
) -> dict[str, Any]:
    """Keyword arguments for `Litestar(...)`; providers are asked per request where it matters.

    With `allowed_hosts`, a request for any other `Host` is refused before it reaches a route
    (its access line is still written)."""
    settings = container.settings()
    addresses = ClientAddresses(container.trusted_proxies())
    hosts = (
        []
        if allowed_hosts is None
        else [DefineMiddleware(AllowedHostsOnly, config=allowed_hosts, refusal=_host_not_allowed)]
    )
    return {
        "before_request": route_policies(
            limiter=container.rate_limiter,
            addresses=addresses,
            limits=class_limits(settings.rate_limits),
            authenticate=container.authenticate,
            metrics=container.metrics,
            origins=browser_origins(settings),
        ),
        "middleware": hosts,
        "before_send": [add_browser_headers, json_refused_preflights(_CORS_REJECTED_BODY)],
        "cors_config": cors_config(settings.cors_allow_origins),
        "logging_config": None,
    }


_CORS_REJECTED_BODY = msgspec.json.encode(
    {"error": CORS_REJECTED.code, "message": CORS_REJECTED.message}
)


def _host_not_allowed(request: Request[Any, Any, Any]) -> Response[Any]:
    return error_response(request, HOST_NOT_ALLOWED)


def request_observability(container: Container) -> Callable[[ASGIApp], ASGIApp]:
    """What `observability.observe` puts around the app: `RequestObservability`, inside the
    server span when traced (so the span is current in everything below it)."""
    settings = container.settings()
    tracing = container.tracing()

    def wrap(app: ASGIApp) -> ASGIApp:
        observed = RequestObservability(
            app,
            addresses=ClientAddresses(container.trusted_proxies()),
            metrics=container.metrics(),
            timeout_s=settings.request_timeout_s,
            timeouts=container.request_timeouts(),
            tracing=tracing,
        )
        return observed if tracing is None else tracing.http_middleware()(observed)

    return wrap


# What browsers need from us: CORS for the configured frontends, and defensive headers. The
# headers are added in a `before_send` hook, which sees every response the app sends: handler
# answers, errors, 404/405 from the router, CORS preflights and mounted apps.
SECURITY_HEADERS = {
    # Instead of granian's own `server: granian`: which server runs is nobody's business.
    "Server": "connect-backend",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# We only serve JSON: nothing may be loaded, framed or submitted in our name.
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_PATH = "/schema"
_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")
_SECURITY_RAW = [
    (name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]
_CSP_RAW = (b"content-security-policy", STRICT_CSP.encode())
_PAGE_CSP_RAW = (b"content-security-policy", PAGE_CSP.encode())
_REQUEST_ID_RAW = REQUEST_ID_HEADER.lower().encode()


def cors_config(origins: Sequence[str]) -> CORSConfig | None:
    """CORS for `CORS_ALLOW_ORIGINS`; None (no CORS headers at all) when it lists none.

    Credentials (the browser transport's refresh cookie) are allowed for exactly these origins,
    never a wildcard (`settings` refuses `*`), and so is the `Session-Transport` header that
    selects that transport: a page elsewhere cannot send it, as its preflight is refused.
    """
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER, SESSION_TRANSPORT],
        allow_credentials=True,
        expose_headers=[REQUEST_ID_HEADER, "Retry-After", "WWW-Authenticate"],
        max_age=600,
    )


async def add_browser_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: security headers and `X-Request-ID` on every response."""
    if message["type"] == "http.response.start":
        # On the raw header list: one pass, where a header-object lookup per name cost a
        # tenth of a token check's request time.
        raw = [
            (name, value)
            for name, value in message.get("headers", ())
            if name.lower() != _REQUEST_ID_RAW
        ]
        present = {name.lower() for name, _ in raw}
        raw.extend(header for header in _SECURITY_RAW if header[0] not in present)
        if _CSP_RAW[0] not in present:
            raw.append(_PAGE_CSP_RAW if _is_docs_page(scope.get("path", "")) else _CSP_RAW)
        raw.append((_REQUEST_ID_RAW, request_id_of(scope).encode("latin-1")))
        message["headers"] = raw


def _is_docs_page(path: str) -> bool:
    # The interactive docs load Swagger UI's scripts and styles from this origin; the documents
    # themselves are data.
    if path == DOCS_PATH:
        return True
    return path.startswith(DOCS_PATH + "/") and not path.endswith(_DOCUMENT_SUFFIXES)
