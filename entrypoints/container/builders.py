"""What the container builds from settings: resources it starts and stops, and the adapters
the settings choose between."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import httpx
from litestar import Litestar
from redis.asyncio import Redis

from adapters.corbado.emulator import create_emulator_app
from adapters.corbado.httpx_connect import build_corbado_client
from adapters.fallback_rate_limits import FallbackRateLimitCounters, SharedStoreEvents
from adapters.memory_rate_limits import InMemoryRateLimitCounters
from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.observability.tracing import Tracing
from adapters.redis_connection import create_redis_client, ping_redis
from adapters.redis_rate_limits import RedisRateLimitCounters
from adapters.redis_revocations import RedisRevokedSessions
from adapters.sql.engine import Database, create_engine, ping
from adapters.tokens.signing_keys import SigningKey, load_signing_keys
from domain.ports import RateLimitCounters, RevokedSessions
from domain.usecases.purge_expired import PurgeExpired
from entrypoints.periodic_purge import PeriodicPurge
from entrypoints.settings import Settings

# A named check of one dependency /readyz needs; it fails by raising.
ReadinessCheck = tuple[str, Callable[[], Awaitable[None]]]


def read_signing_keys(settings: Settings) -> list[SigningKey]:
    return load_signing_keys(settings.signing_keys_path.read_text(encoding="ascii"))


def readiness_checks(
    engine: Database, keys: list[SigningKey], redis: Redis | None
) -> list[ReadinessCheck]:
    async def signing_key_loaded() -> None:
        if not keys:
            raise RuntimeError("no signing key")

    checks: list[ReadinessCheck] = [
        ("database", lambda: ping(engine)),
        ("signing_key", signing_key_loaded),
    ]
    if redis is not None:
        checks.append(("redis", lambda: ping_redis(redis)))
    return checks


async def database_engine(settings: Settings, tracing: Tracing | None) -> AsyncIterator[Database]:
    engine = create_engine(settings.database_url)
    if tracing is not None:
        tracing.instrument_engine(engine.sync_engine)
    try:
        yield engine
    finally:
        await engine.dispose()


async def redis_client(settings: Settings) -> AsyncIterator[Redis | None]:
    client = create_redis_client(settings.redis_url) if settings.redis_url else None
    try:
        yield client
    finally:
        if client is not None:
            await client.aclose()


async def corbado_http_client(
    settings: Settings, emulator: Litestar | None
) -> AsyncIterator[httpx.AsyncClient]:
    client = build_corbado_client(
        base_url="http://corbado-emulator" if emulator else settings.corbado_backend_api,
        project_id=settings.corbado_project_id,
        api_secret=settings.corbado_api_secret,
        timeout_s=settings.corbado_timeout_s,
        transport=_corbado_transport(emulator),
    )
    try:
        yield client
    finally:
        await client.aclose()


def revoked_sessions(redis: Redis | None) -> RevokedSessions:
    # Without Redis the deny-list lives in this process: correct for one worker only, which is
    # why `serve` refuses WORKERS > 1 without REDIS_URL.
    return InMemoryRevokedSessions() if redis is None else RedisRevokedSessions(redis)


def rate_limit_counters(redis: Redis | None, events: SharedStoreEvents) -> RateLimitCounters:
    # Without Redis the counters live in this process, as for the deny-list above; with it, in
    # Redis, and in this process while Redis fails (decision 0019).
    if redis is None:
        return InMemoryRateLimitCounters()
    return FallbackRateLimitCounters(
        RedisRateLimitCounters(redis),
        InMemoryRateLimitCounters(),
        events=events,
        timer=time.monotonic,
    )


def _corbado_transport(emulator: Litestar | None) -> httpx.AsyncBaseTransport | None:
    # dev reaches the emulator in-process, through the same adapter production uses.
    if emulator is None:
        return None
    return httpx.ASGITransport(app=cast(Any, emulator))


def configured_emulator(settings: Settings) -> Litestar | None:
    if not settings.use_emulator:
        return None
    return create_emulator_app(
        settings.corbado_project_id,
        settings.corbado_api_secret,
        state_path=settings.emulator_state_path,
    )


def emulator_app(project_id: str, api_secret: str) -> Litestar:
    """The Corbado emulator alone, as `connect-backend emulator` serves it."""
    return create_emulator_app(project_id, api_secret)


def periodic_purge(settings: Settings, purge: PurgeExpired) -> PeriodicPurge | None:
    """The purge `serve` runs now and then; None when PURGE_INTERVAL_S is 0."""
    if settings.purge_interval_s == 0:
        return None
    return PeriodicPurge(purge.execute, settings.purge_interval_s)
