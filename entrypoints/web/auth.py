"""Bearer authentication as a dependency of the protected routes."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from domain.errors import InvalidAccessToken
from domain.model import Principal
from domain.usecases.authenticate import Authenticate
from entrypoints.metrics import Metrics
from entrypoints.web.token_refusals import refusal_reason


async def current_principal(
    request: Request[Any, Any, Any],
    authenticate: NamedDependency[Authenticate],
    metrics: NamedDependency[Metrics],
) -> Principal:
    """The caller named by `Authorization: Bearer <token>`; 401 for anything else."""
    try:
        token = bearer_token(request)
        if not token:
            raise InvalidAccessToken("missing bearer token")
        return await authenticate.execute(token)
    except InvalidAccessToken as refused:
        metrics.token_refusals.labels(refusal_reason(refused)).inc()
        raise


def bearer_token(request: Request[Any, Any, Any]) -> str:
    """The credential of an `Authorization: Bearer` header, or "" when there is none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def client_user_agent(request: Request[Any, Any, Any]) -> str | None:
    """The caller's `User-Agent`, recorded on new sessions so users recognise their devices."""
    return request.headers.get("user-agent")


AUTHENTICATED = {"principal": Provide(current_principal)}
