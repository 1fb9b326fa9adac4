"""The guard that applies the per-client rate limits of `RateLimitSettings` to the /auth routes.

It runs before the body is decoded and before Bearer authentication, so a client over its limit
costs one counter increment and nothing else. Login's limits per account need the body and the
outcome: `domain.protection.login_throttle` applies them in the handler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from domain.protection.rate_limits import Limit, RateLimiter
from entrypoints.settings import RateLimitSettings
from entrypoints.web.client_addresses import ClientAddresses


@dataclass(frozen=True, slots=True)
class RouteLimits:
    """The limits of one route: per client address."""

    per_client: Limit


def route_limits(settings: RateLimitSettings) -> dict[str, RouteLimits]:
    """Route path template -> its limits."""
    return {
        "/auth/login": RouteLimits(Limit("login", settings.login_per_ip)),
        "/auth/register": RouteLimits(Limit("register", settings.register_per_ip)),
        "/auth/refresh": RouteLimits(Limit("refresh", settings.refresh_per_ip)),
        "/auth/completeLogin": RouteLimits(Limit("complete-login", settings.passkey_per_ip)),
        "/auth/createConnectToken": RouteLimits(
            Limit("create-connect-token", settings.passkey_per_ip)
        ),
        "/auth/email/verification": RouteLimits(Limit("email-verification", settings.email_per_ip)),
        "/auth/email/verify": RouteLimits(Limit("email-verify", settings.email_per_ip)),
        "/auth/recovery": RouteLimits(Limit("recovery", settings.email_per_ip)),
        "/auth/recovery/complete": RouteLimits(Limit("recovery-complete", settings.email_per_ip)),
    }


def rate_limit_guard(
    limiter: Callable[[], RateLimiter],
    addresses: ClientAddresses,
    limits: Mapping[str, RouteLimits],
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Any]:
    """A Litestar guard; `limiter` is asked on every request so container overrides apply."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        route = limits.get(connection.scope.get("path_template", ""))
        if route is None:
            return
        await limiter().hit(route.per_client, addresses.subject(connection.scope))

    return guard
