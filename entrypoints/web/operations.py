"""Tags discovery and health: the public keys that verify our tokens, the liveness and
readiness probes; and the Prometheus metrics, open like the probes, outside the document."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from adapters.observability.protocols import Metrics
from entrypoints.container import ReadinessCheck
from entrypoints.web.errors import REQUEST_TIMED_OUT
from entrypoints.web.openapi import errors
from entrypoints.web.wire import ContainerController, ErrorResponse, Wire

logger = logging.getLogger("connect_backend.readiness")

JWKS_MAX_AGE_S = 300
NOT_READY = ErrorResponse(error="not_ready", message="A dependency is unavailable.")
TIMED_OUT = ErrorResponse(error=REQUEST_TIMED_OUT.code, message=REQUEST_TIMED_OUT.message)


class HealthResponse(Wire):
    status: str


class Jwk(msgspec.Struct, frozen=True):
    """A public EC key as RFC 7517 writes it (member names are not camelCased)."""

    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JwkSet(msgspec.Struct, frozen=True):
    keys: list[Jwk]


async def all_ready(checks: Sequence[ReadinessCheck]) -> bool:
    """True when every check passed; failures are logged by name, never raised."""
    ready = True
    for name, check in checks:
        try:
            await check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            ready = False
    return ready


class DiscoveryController(ContainerController):
    """What other services need to verify our access tokens themselves."""

    tags = ("discovery",)
    uses = ("public_jwks",)

    @get(
        "/.well-known/jwks.json",
        operation_id="jwks",
        summary="The public keys that verify our access tokens",
        response_description="A JWK Set (RFC 7517) of every published ES256 public key.",
        responses=errors(),
        cache_control=CacheControlHeader(public=True, max_age=JWKS_MAX_AGE_S),
    )
    async def jwks(self, public_jwks: NamedDependency[dict[str, Any]]) -> JwkSet:
        """For your own APIs: verify our access tokens locally with the key whose `kid` matches.

        Accept only `alg: ES256` and `typ: at+jwt`, and check `iss`, `aud` and `exp`. Every configured
        key is published, not only the one that signs now; cache the set as `Cache-Control` says and
        fetch it again on an unknown `kid`.
        """  # noqa: E501
        return msgspec.convert(public_jwks, JwkSet)


class HealthController(ContainerController):
    """What orchestrators and scrapers ask: is the process up, is it ready, what it counted."""

    tags = ("health",)
    uses = ("readiness_checks", "metrics")

    @get(
        "/healthz",
        operation_id="healthz",
        summary="The process is up",
        response_description='`{"status": "ok"}`',
        responses=errors(),
    )
    async def healthz(self) -> HealthResponse:
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
    )
    async def readyz(
        self,
        readiness_checks: NamedDependency[list[ReadinessCheck]],
    ) -> Response[HealthResponse | ErrorResponse]:
        """Readiness: the database answers (and Redis, when configured); 503 `not_ready` otherwise.

        Route traffic to an instance only while this answers 200.
        """
        if await all_ready(readiness_checks):
            return Response(HealthResponse(status="ready"))
        return Response(NOT_READY, status_code=503)

    @get("/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics(
        self, request: Request[Any, Any, Any], metrics: NamedDependency[Metrics]
    ) -> Response[bytes]:
        """The text exposition format (or OpenMetrics, when the scraper asks for it)."""
        body, content_type = metrics.render(request.headers.get("accept", ""))
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
