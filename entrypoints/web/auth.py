"""Bearer authentication as a dependency of the protected routes."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from domain.errors import InvalidAccessToken
from domain.model import Principal
from domain.usecases.authenticate import Authenticate


async def current_principal(
    request: Request[Any, Any, Any], authenticate: NamedDependency[Authenticate]
) -> Principal:
    """The caller named by `Authorization: Bearer <token>`; 401 for anything else."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAccessToken("missing bearer token")
    return await authenticate.execute(token.strip())


AUTHENTICATED = {"principal": Provide(current_principal)}
