"""Bearer authentication: a guard on the protected operations.

The caller is resolved before the handler (and before its body is read), after the rate-limit
guard, and handed over as `request.auth`. A guard rather than a Litestar dependency:
dependencies that do not depend on each other are resolved concurrently in an anyio task group,
which cost a fifth of a token check's request time.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers import BaseRouteHandler
from litestar.types import Scope

from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import Principal
from domain.usecases.authenticate import Authenticate
from entrypoints.metrics import Metrics

AuthenticatedRequest = Request[Any, Principal, Any]
# Keys of the app's `State`: the container's providers, asked on every request so that a
# test's override applies.
AUTHENTICATE_STATE = "authenticate"
METRICS_STATE = "metrics"


async def bearer_authentication(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Sets `scope["auth"]` to the caller named by `Authorization: Bearer`; 401 otherwise."""
    state: State = connection.app.state
    authenticate: Authenticate = state[AUTHENTICATE_STATE]()
    try:
        token = bearer_token(connection.scope)
        if not token:
            raise InvalidAccessToken("missing bearer token", reason=AccessTokenRefusal.MISSING)
        connection.scope["auth"] = await authenticate.execute(token)
    except InvalidAccessToken as refused:
        metrics: Metrics = state[METRICS_STATE]()
        metrics.token_refusals.labels(refused.reason).inc()
        raise


def bearer_token(scope: Scope) -> str:
    """The credential of an `Authorization: Bearer` header, or "" when there is none."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return ""


async def client_user_agent(request: Request[Any, Any, Any]) -> str | None:
    """The caller's `User-Agent`, recorded on new sessions so users recognise their devices."""
    return request.headers.get("user-agent")


AUTHENTICATED = [bearer_authentication]
