"""What applies to a route, declared beside it and applied in one step before its handler.

Each operation names its policies in its own decorator's `opt`: its per-client rate limit
(`rate_limited(RateLimitClass.LOGIN)`), whether it needs an access token (`auth.AUTHENTICATED`)
and whether it takes the browser transport (`session_transport.BROWSER_TRANSPORT`). One
`before_request` hook reads those keys, in this order: a body that is not JSON is 415 before
anything counts or reads it; the rate limit is counted before the body is decoded and before
any token check, so a client over its limit costs one counter increment; a missing access token
is 401 before the origin is judged. A hook, not guards: Litestar copies the route handler for
every guard on every request.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from typing import Any

from litestar import Request

from domain.protection.rate_limits import Limit, RateLimiter
from domain.usecases.authenticate import Authenticate
from entrypoints.metrics import Metrics
from entrypoints.settings import RateLimitSettings
from entrypoints.web.auth import authenticate_bearer
from entrypoints.web.client_addresses import ClientAddresses
from entrypoints.web.media_types import json_bodies_only
from entrypoints.web.session_transport import check_browser_transport

_RATE_LIMIT = "rate_limit"


class RateLimitClass(enum.StrEnum):
    """A route's per-client limit; the value names it in metrics and counter keys."""

    LOGIN = "login"
    REGISTER = "register"
    REFRESH = "refresh"
    COMPLETE_LOGIN = "complete-login"
    CREATE_CONNECT_TOKEN = "create-connect-token"
    EMAIL_VERIFICATION = "email-verification"
    EMAIL_VERIFY = "email-verify"
    RECOVERY = "recovery"
    RECOVERY_COMPLETE = "recovery-complete"


def rate_limited(kind: RateLimitClass) -> dict[str, Any]:
    """Handler option: requests to this operation count against `kind`'s limit per client."""
    return {_RATE_LIMIT: kind}


def class_limits(settings: RateLimitSettings) -> dict[RateLimitClass, Limit]:
    """Each class's limit per client address, from the settings."""
    per_window = {
        RateLimitClass.LOGIN: settings.login_per_ip,
        RateLimitClass.REGISTER: settings.register_per_ip,
        RateLimitClass.REFRESH: settings.refresh_per_ip,
        RateLimitClass.COMPLETE_LOGIN: settings.passkey_per_ip,
        RateLimitClass.CREATE_CONNECT_TOKEN: settings.passkey_per_ip,
        RateLimitClass.EMAIL_VERIFICATION: settings.email_per_ip,
        RateLimitClass.EMAIL_VERIFY: settings.email_per_ip,
        RateLimitClass.RECOVERY: settings.email_per_ip,
        RateLimitClass.RECOVERY_COMPLETE: settings.email_per_ip,
    }
    return {kind: Limit(kind.value, limit) for kind, limit in per_window.items()}


def route_policies(
    *,
    limiter: Callable[[], RateLimiter],
    addresses: ClientAddresses,
    limits: Mapping[RateLimitClass, Limit],
    authenticate: Callable[[], Authenticate],
    metrics: Callable[[], Metrics],
    origins: Collection[str],
) -> Callable[[Request[Any, Any, Any]], Any]:
    """The `before_request` hook; the providers are asked per request, so overrides apply."""

    async def apply(request: Request[Any, Any, Any]) -> None:
        await json_bodies_only(request)
        opt = request.scope["route_handler"].opt
        kind = opt.get(_RATE_LIMIT)
        if kind is not None:
            await limiter().hit(limits[kind], addresses.subject(request.scope))
        await authenticate_bearer(request.scope, opt, authenticate, metrics)
        check_browser_transport(request, opt, origins)

    return apply
