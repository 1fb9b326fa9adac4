"""The guard that applies the rate limits of `RateLimitSettings` to the /auth routes.

It runs before the body is decoded and before Bearer authentication, so a client over its limit
costs one counter increment and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from domain.credentials import normalise_email
from domain.errors import InvalidInput
from entrypoints.settings import RateLimitSettings
from entrypoints.web.client_ip import ClientAddresses
from entrypoints.web.rate_limits import Limit, RateLimiter


@dataclass(frozen=True, slots=True)
class RouteLimits:
    """The limits of one route: per client address, and optionally per login account."""

    per_client: Limit
    per_account: Limit | None = None


def route_limits(settings: RateLimitSettings) -> dict[str, RouteLimits]:
    """Route path template -> its limits."""
    return {
        "/auth/login": RouteLimits(
            Limit("login", settings.login_per_ip),
            Limit("login-account", settings.login_per_account),
        ),
        "/auth/register": RouteLimits(Limit("register", settings.register_per_ip)),
        "/auth/refresh": RouteLimits(Limit("refresh", settings.refresh_per_ip)),
        "/auth/completeLogin": RouteLimits(Limit("complete-login", settings.passkey_per_ip)),
        "/auth/createConnectToken": RouteLimits(
            Limit("create-connect-token", settings.passkey_per_ip)
        ),
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
        current = limiter()
        await current.hit(route.per_client, addresses.subject(connection.scope))
        if route.per_account is not None and isinstance(connection, Request):
            account = await _login_account(connection)
            if account is not None:
                await current.hit(route.per_account, account)

    return guard


class _LoginEmail(msgspec.Struct):
    email: str = ""


async def _login_account(request: Request[Any, Any, Any]) -> str | None:
    """The normalised email a login names, hashed to keep addresses out of the counter store.

    None for a body the handler will refuse anyway (it answers 400 for it).
    """
    try:
        email = msgspec.json.decode(await request.body(), type=_LoginEmail).email
        normalised = normalise_email(email)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError, InvalidInput):
        return None
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:32]
