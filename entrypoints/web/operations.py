"""What makes the app fit to run on the internet, as `Litestar(...)` arguments.

A body's media type, rate limits, Bearer authentication and the browser transport's origin
check (guards, in that order: a body that is not JSON is 415 before anything counts or reads
it, and a missing access token is 401 before anything else is judged), the per-request
observability middleware, browser headers, CORS, and no logging configuration of Litestar's
own: `adapters.observability.log_pipeline` owns logging.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.types import Guard

from entrypoints.web.auth import bearer_guard
from entrypoints.web.browser import add_browser_headers, cors_config
from entrypoints.web.client_addresses import ClientAddresses
from entrypoints.web.hosts import AllowedHostsOnly
from entrypoints.web.media_types import json_bodies_only
from entrypoints.web.observability import RequestObservability
from entrypoints.web.origins import browser_origins
from entrypoints.web.rate_limit_guard import rate_limit_guard, route_limits
from entrypoints.web.session_transport import browser_transport_guard

if TYPE_CHECKING:
    from entrypoints.container import Container


def operational_options(
    container: Container, allowed_hosts: AllowedHostsConfig | None = None
) -> dict[str, Any]:
    """Keyword arguments for `Litestar(...)`; providers are asked per request where it matters.

    With `allowed_hosts`, a request for any other `Host` is refused before it reaches a route
    (its access line is still written)."""
    settings = container.settings()
    addresses = ClientAddresses(container.trusted_proxies())
    tracing = container.tracing()
    # Outermost, so the request's span is current in everything below it, our middleware too.
    traced = [tracing.http_middleware()] if tracing is not None else []
    hosts = (
        [] if allowed_hosts is None else [DefineMiddleware(AllowedHostsOnly, config=allowed_hosts)]
    )
    return {
        "guards": [
            in_order(
                json_bodies_only,
                rate_limit_guard(
                    container.rate_limiter, addresses, route_limits(settings.rate_limits)
                ),
                bearer_guard(container.authenticate, container.metrics),
                browser_transport_guard(browser_origins(settings)),
            )
        ],
        "middleware": [
            *traced,
            DefineMiddleware(
                RequestObservability,
                addresses=addresses,
                metrics=container.metrics(),
                timeout_s=settings.request_timeout_s,
                tracing=tracing,
            ),
            *hosts,
        ],
        "before_send": [add_browser_headers],
        "cors_config": cors_config(settings.cors_allow_origins),
        "logging_config": None,
    }


def in_order(*guards: Guard) -> Guard:
    """`guards` as one guard, run in order until one refuses.

    Litestar hands each guard its own copy of the route handler, made per request; one guard
    pays for one copy (~8 us each here) instead of three.
    """

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        for each in guards:
            checked = each(connection, handler)
            if isawaitable(checked):
                await checked

    return guard
