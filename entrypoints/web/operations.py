"""What makes the app fit to run on the internet, as `Litestar(...)` arguments.

The route policies (`policies.py`: a body's media type, the route's rate limit, Bearer
authentication and the browser transport's origin check, in that order, as one `before_request`
hook), browser headers, CORS, and no logging configuration of Litestar's own
(`adapters.observability.logs` owns logging); and `request_observability`, the wrapper
`observability.observe` puts around the whole app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp

from entrypoints.web.browser import add_browser_headers, cors_config
from entrypoints.web.hosts import AllowedHostsOnly
from entrypoints.web.observability import ClientAddresses, RequestObservability
from entrypoints.web.origins import browser_origins
from entrypoints.web.policies import class_limits, route_policies

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
    hosts = (
        [] if allowed_hosts is None else [DefineMiddleware(AllowedHostsOnly, config=allowed_hosts)]
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
        "before_send": [add_browser_headers],
        "cors_config": cors_config(settings.cors_allow_origins),
        "logging_config": None,
    }


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
