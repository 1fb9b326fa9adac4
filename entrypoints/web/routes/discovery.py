"""Public keys and health probes."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from entrypoints.container import ReadinessCheck
from entrypoints.web.errors import REQUEST_TIMED_OUT
from entrypoints.web.openapi_docs import errors
from entrypoints.web.readiness import all_ready
from entrypoints.web.schemas import ErrorResponse, HealthResponse, JwkSet

JWKS_MAX_AGE_S = 300
NOT_READY = ErrorResponse(error="not_ready", message="A dependency is unavailable.")
TIMED_OUT = ErrorResponse(error=REQUEST_TIMED_OUT.code, message=REQUEST_TIMED_OUT.message)


@get(
    "/.well-known/jwks.json",
    operation_id="jwks",
    summary="The public keys that verify our access tokens",
    response_description="A JWK Set (RFC 7517) of every published ES256 public key.",
    responses=errors(),
    cache_control=CacheControlHeader(public=True, max_age=JWKS_MAX_AGE_S),
    tags=["discovery"],
)
async def jwks(public_jwks: NamedDependency[dict[str, Any]]) -> JwkSet:
    """For your own APIs: verify our access tokens locally with the key whose `kid` matches.

    Accept only `alg: ES256` and `typ: at+jwt`, and check `iss`, `aud` and `exp`. Every configured
    key is published, not only the one that signs now; cache the set as `Cache-Control` says and
    fetch it again on an unknown `kid`.
    """
    return msgspec.convert(public_jwks, JwkSet)


@get(
    "/healthz",
    operation_id="healthz",
    summary="The process is up",
    response_description='`{"status": "ok"}`',
    responses=errors(),
    tags=["health"],
)
async def healthz() -> HealthResponse:
    """Liveness: always 200 while the process serves requests; checks no dependency."""
    return HealthResponse(status="ok")


@get(
    "/readyz",
    operation_id="readyz",
    summary="Ready to serve: database reachable, signing key loaded",
    responses={
        200: ResponseSpec(
            HealthResponse,
            description='Every dependency answered: `{"status": "ready"}`.',
            generate_examples=False,
            examples=[Example(summary="ready", value={"status": "ready"})],
        ),
        503: ResponseSpec(
            ErrorResponse,
            description="A dependency is down, or the checks took too long. "
            "`error`: `not_ready`; `request_timeout`.",
            generate_examples=False,
            examples=[
                Example(summary="not_ready", value=msgspec.to_builtins(NOT_READY)),
                Example(summary="request_timeout", value=msgspec.to_builtins(TIMED_OUT)),
            ],
        ),
    },
    tags=["health"],
)
async def readyz(
    readiness_checks: NamedDependency[list[ReadinessCheck]],
) -> Response[HealthResponse | ErrorResponse]:
    """Readiness: the database answers (and Redis, when configured); 503 `not_ready` otherwise.

    Route traffic to an instance only while this answers 200.
    """
    if await all_ready(readiness_checks):
        return Response(HealthResponse(status="ready"))
    return Response(NOT_READY, status_code=503)
