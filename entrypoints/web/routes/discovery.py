"""Public keys and health probes."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from entrypoints.web.openapi_docs import errors
from entrypoints.web.readiness import Readiness
from entrypoints.web.schemas import ErrorResponse, HealthResponse, JwkSet

JWKS_MAX_AGE_S = 300


@get(
    "/.well-known/jwks.json",
    operation_id="jwks",
    summary="The public keys that verify our access tokens",
    cache_control=CacheControlHeader(public=True, max_age=JWKS_MAX_AGE_S),
    tags=["discovery"],
)
async def jwks(jwk_set: NamedDependency[JwkSet]) -> JwkSet:
    """A JWK Set of every published ES256 key; select by the token's `kid`."""
    return jwk_set


@get("/healthz", operation_id="healthz", summary="The process is up", tags=["health"])
async def healthz() -> HealthResponse:
    """Always 200 while the process serves requests."""
    return HealthResponse(status="ok")


@get(
    "/readyz",
    operation_id="readyz",
    summary="Ready to serve: database reachable, signing key loaded",
    responses={503: errors(503)[503]},
    tags=["health"],
)
async def readyz(readiness: NamedDependency[Readiness]) -> Response[HealthResponse | ErrorResponse]:
    """503 while a dependency is down."""
    if await readiness.check():
        return Response(HealthResponse(status="ready"))
    body = ErrorResponse(error="not_ready", message="A dependency is unavailable.")
    return Response(body, status_code=503)
