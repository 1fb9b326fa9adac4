"""Bearer authentication of the operations marked `opt=AUTHENTICATED` (`policies.py`).

The caller is resolved before the handler (and before its body is read), after the rate limit,
by the route policies (`policies.py`), and handed over as `request.auth`. Not a Litestar
dependency: dependencies that do not depend on each other are resolved concurrently in an anyio
task group, which cost a fifth of a token check's request time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.types import Scope

from adapters.observability.protocols import Metrics
from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import Principal
from domain.usecases.authenticate import Authenticate

AuthenticatedRequest = Request[Any, Principal, Any]


async def authenticate_bearer(
    scope: Scope, authenticate: Callable[[], Authenticate], metrics: Callable[[], Metrics]
) -> None:
    """Set `scope["auth"]` to the caller named by `Authorization: Bearer`; 401 otherwise. The
    providers are asked per request."""
    try:
        token = bearer_token(scope)
        if not token:
            raise InvalidAccessToken("missing bearer token", reason=AccessTokenRefusal.MISSING)
        scope["auth"] = await authenticate().execute(token)
    except InvalidAccessToken as refused:
        metrics().token_refusals.labels(refused.reason).inc()
        raise


def bearer_token(scope: Scope) -> str:
    """The credential of an `Authorization: Bearer` header, or "" when there is none."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""
