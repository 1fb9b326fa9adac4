"""What the container builds from settings: resources it starts and stops, and the adapters
the settings choose between."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from contextlib import ExitStack

import httpx
from opentelemetry.trace import Tracer
from redis.asyncio import Redis

from adapters.corbado.client import build_corbado_client
from adapters.fallback_rate_limits import FallbackRateLimitCounters, SharedStoreEvents
from adapters.incident_log import IncidentLog
from adapters.mail.compose import MailComposer
from adapters.mail.outbox import DevOutbox
from adapters.mail.retrying import RetryingMailer
from adapters.mail.smtp import SmtpMailer, SmtpServer
from adapters.memory_rate_limits import InMemoryRateLimitCounters
from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.observability.metrics import (
    MULTIPROCESS_DIR_VARIABLE,
    ForeignFilesInMetricsDirectory,
    shared_metrics_directory,
)
from adapters.observability.traces import Tracing, tracing_wanted
from adapters.redis_connection import create_redis_client, ping_redis
from adapters.redis_rate_limits import RedisRateLimitCounters
from adapters.redis_revocations import RedisRevokedSessions
from adapters.replicated_revocations import ReplicatedRevokedSessions
from adapters.sql.engine import Database, create_engine, ping
from adapters.tokens.signing_keys import SigningKey, load_signing_keys
from domain.email_links import Mail
from domain.errors import MailUnavailable
from domain.policy import SessionPolicy
from domain.ports import Clock, Mailer, RateLimitCounters, RevocationLog, RevokedSessions
from domain.usecases.follow_revocations import FollowRevocations
from domain.usecases.purge_expired import PurgeExpired
from domain.usecases.restore_revocations import RestoreRevocations
from entrypoints.background import (
    BackgroundTasks,
    PeriodicPurge,
    RevocationFollower,
    Wait,
    wait_or_stop,
)
from entrypoints.configuration import ConfigError, Settings

# A named check of one dependency /readyz needs; it fails by raising.
ReadinessCheck = tuple[str, Callable[[], Awaitable[None]]]


def otlp_tracing() -> Iterator[Tracing | None]:
    """Traces exported over OTLP when the `OTEL_*` variables ask for them, flushed at
    teardown; None, and nothing installed, when they do not."""
    if not tracing_wanted(os.environ):
        yield None
        return
    built = Tracing.exporting_otlp()
    try:
        yield built
    finally:
        built.shutdown()


def corbado_tracer(tracing: Tracing | None) -> Tracer | None:
    return tracing.tracer if tracing is not None else None


def enter_metrics_directory(
    stack: ExitStack, environ: MutableMapping[str, str], *, workers: int
) -> None:
    """The workers' shared metrics directory, for as long as `stack` lasts; one that cannot
    hold the metrics is a `ConfigError` naming the variable to fix."""
    try:
        stack.enter_context(shared_metrics_directory(environ, workers=workers))
    except (OSError, ForeignFilesInMetricsDirectory) as exc:
        given = environ.get(MULTIPROCESS_DIR_VARIABLE, "").strip()  # else made under TMPDIR
        reason = getattr(exc, "strerror", None) or str(exc)
        variable = MULTIPROCESS_DIR_VARIABLE if given else "TMPDIR"
        raise ConfigError(variable, f"cannot hold the metrics ({reason})") from exc


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
    settings: Settings, transport: httpx.AsyncBaseTransport | None
) -> AsyncIterator[httpx.AsyncClient]:
    client = build_corbado_client(
        base_url=settings.corbado_backend_api,
        project_id=settings.corbado_project_id,
        api_secret=settings.corbado_api_secret,
        timeout_s=settings.corbado_timeout_s,
        transport=transport,
    )
    try:
        yield client
    finally:
        await client.aclose()


def revoked_sessions(
    local: InMemoryRevokedSessions,
    redis: Redis | None,
    revocation_log: RevocationLog,
    clock: Clock,
    policy: SessionPolicy,
) -> RevokedSessions:
    # Each process's own copy, which the revocation follower keeps complete; with Redis, also
    # the copy every process shares, refilled from the log whenever it may have lost entries.
    if redis is None:
        return local
    shared = RedisRevokedSessions(redis)
    refill = RestoreRevocations(revocation_log, shared, clock, policy)
    return ReplicatedRevokedSessions(local, shared, refill.execute)


def revocation_follower(
    follow: FollowRevocations, revoked: RevokedSessions, wait: Wait = wait_or_stop
) -> RevocationFollower:
    """What follows the revocation log in each worker of `serve`, and heals Redis if used."""
    heal = revoked.heal if isinstance(revoked, ReplicatedRevokedSessions) else None
    return RevocationFollower(follow.execute, heal, wait=wait)


def rate_limit_counters(redis: Redis | None, events: SharedStoreEvents) -> RateLimitCounters:
    # Without Redis the counters live in this process, as for the deny-list above; with it, in
    # Redis, and in this process while Redis fails (decision 0020).
    if redis is None:
        return InMemoryRateLimitCounters()
    return FallbackRateLimitCounters(
        RedisRateLimitCounters(redis),
        InMemoryRateLimitCounters(),
        events=events,
        timer=time.monotonic,
    )


def request_timeouts() -> IncidentLog:
    """Requests cancelled at `REQUEST_TIMEOUT_S`, logged once per incident (overload)."""
    return IncidentLog(
        logging.getLogger("connect_backend.access"),
        failing="requests cancelled at their deadline (REQUEST_TIMEOUT_S)",
        recovered="requests finish within their deadline again",
        timer=time.monotonic,
    )


def periodic_purge(settings: Settings, purge: PurgeExpired) -> PeriodicPurge | None:
    """The purge `serve` runs now and then; None when PURGE_INTERVAL_S is 0."""
    if settings.purge_interval_s == 0:
        return None
    return PeriodicPurge(purge.execute, settings.purge_interval_s)


# Per attempt; a mail that takes longer is tried again later, in the background.
SMTP_TIMEOUT_S = 30.0


async def background_work(*_used: object) -> AsyncIterator[BackgroundTasks]:
    """The work requests leave for after their answer. `_used` are the resources that work
    uses, so that it is finished (or cancelled) before they are closed."""
    tasks = BackgroundTasks()
    try:
        yield tasks
    finally:
        await tasks.drain()


def dev_outbox(settings: Settings) -> DevOutbox | None:
    """dev's outbox (the demo shows it, the console prints each link); None elsewhere."""
    return DevOutbox() if settings.mail_outbox else None


def mailer(settings: Settings, outbox: DevOutbox | None) -> Mailer:
    """The outbox in dev, SMTP where SMTP_URL is set; else nothing is ever sent (the email
    routes answer 503 before anything would be)."""
    if outbox is not None:
        return outbox
    if settings.smtp is None or settings.mail_from is None:
        return _NoMail()
    smtp = settings.smtp
    server = SmtpServer(smtp.host, smtp.port, smtp.implicit_tls, smtp.username, smtp.password)
    composer = MailComposer(settings.mail_from, settings.email_token_ttl_s)
    return RetryingMailer(SmtpMailer(server, composer, SMTP_TIMEOUT_S))


class _NoMail:
    async def send(self, mail: Mail) -> None:
        raise MailUnavailable("no SMTP_URL is configured")
