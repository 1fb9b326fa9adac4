"""The composition root: the one place that builds adapters, hands them to use cases, and
tears down what it started (the database engine, Redis and the Corbado HTTP client)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from dependency_injector import containers, providers

from adapters.argon2_hasher import Argon2PasswordHasher
from adapters.cached_users import CachedUsers
from adapters.corbado.client import HttpxCorbadoConnect
from adapters.corbado.metered import MeteredCorbado
from adapters.corbado.passkey_data import JosePasskeyDataReader
from adapters.logging_audit_log import LoggingAuditLog
from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.observability.logs import configure_logging
from adapters.observability.metrics import PrometheusMetrics
from adapters.rate_limit_events import MeteredRateLimitEvents
from adapters.sql.account_erasure import SqlAccountErasure
from adapters.sql.connect_tokens import SqlIssuedConnectTokens
from adapters.sql.email_tokens import SqlEmailTokens
from adapters.sql.migrate import MigrationBlocked, is_current, upgrade_to_head
from adapters.sql.retention import SqlRetention, purge_batch_size
from adapters.sql.revocation_log import SqlRevocationLog
from adapters.sql.sessions import SqlSessions
from adapters.sql.users import SqlUsers
from adapters.system_clock import SystemClock
from adapters.tokens.device_tokens import HmacDeviceTokens, device_token_keys
from adapters.tokens.es256_access_tokens import Es256AccessTokens
from adapters.tokens.signing_keys import generate_private_key_pem, jwk_set
from adapters.tokens.successor_keys import HmacSuccessorKeys
from domain.email_links import EmailLinks
from domain.protection.client_addresses import TrustedProxies
from domain.protection.login_throttle import LoginThrottle
from domain.protection.rate_limits import RateLimiter
from domain.usecases.authenticate import Authenticate
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.complete_recovery import CompleteRecovery
from domain.usecases.create_user import CreateUser
from domain.usecases.delete_account_as_operator import DeleteAccountAsOperator
from domain.usecases.delete_account_everywhere import DeleteAccountEverywhere
from domain.usecases.delete_own_account import DeleteOwnAccount
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.end_own_session import EndOwnSession
from domain.usecases.end_session import EndSession
from domain.usecases.follow_revocations import FollowRevocations
from domain.usecases.forget_passkey import ForgetPasskey
from domain.usecases.issue_connect_token import IssueConnectToken
from domain.usecases.list_sessions import ListSessions
from domain.usecases.password_login import PasswordLogin
from domain.usecases.purge_expired import PurgeExpired
from domain.usecases.read_revocations import ReadRevocations
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.request_recovery import RequestRecovery
from domain.usecases.request_verification import RequestVerification
from domain.usecases.send_email_link import SendEmailLink
from domain.usecases.start_session import StartSession
from domain.usecases.throttled_login import ThrottledLogin
from domain.usecases.verify_email import VerifyEmail
from domain.usecases.who_am_i import WhoAmI
from entrypoints.configuration import Settings
from entrypoints.container import builders
from entrypoints.container.builders import ReadinessCheck, enter_metrics_directory
from entrypoints.container.lifecycle import started

__all__ = [
    "Container",
    "MigrationBlocked",
    "ReadinessCheck",
    "configure_logging",
    "enter_metrics_directory",
    "run_with",
    "started",
]

T = TypeVar("T")


# Profiles read by id on authenticated requests; a deletion in another worker is covered by the
# revocation of the user's sessions, so only the password hash may be this much out of date there.
USER_CACHE_ENTRIES = 10_000
USER_CACHE_TTL_S = 30.0
# Mails per address are counted per hour: a minute's allowance would still flood a mailbox.
MAIL_LIMIT_WINDOW_S = 3600
# The revocation log's follower reads it by pages of this many entries, and waits this long for
# a gap in its cursors to fill (a PostgreSQL transaction that took its cursor before another
# and commits after it) before taking it for a rolled-back insert.
FOLLOW_PAGE_SIZE = 1000
FOLLOW_GAP_WAIT_S = 60


class Container(containers.DeclarativeContainer):
    """Singletons for adapters and use cases; tests override the port providers."""

    settings = providers.Dependency(instance_of=Settings)
    policy = settings.provided.policy
    clock = providers.Singleton(SystemClock)

    # Spans over OTLP when the OTEL_* variables ask for them; None, and nothing traced, if not.
    tracing = providers.Resource(builders.otlp_tracing)
    engine = providers.Resource(builders.database_engine, settings, tracing)
    upgrade_schema = providers.Callable(upgrade_to_head, engine)
    schema_is_current = providers.Callable(is_current, engine)
    # Whether a login may happen is read from the database; the cache serves the profile of a
    # caller whose token was just checked (a deletion elsewhere revokes that token first).
    user_store = providers.Singleton(SqlUsers, engine)
    users = providers.Singleton(
        CachedUsers,
        user_store,
        max_entries=USER_CACHE_ENTRIES,
        ttl_s=USER_CACHE_TTL_S,
        timer=time.monotonic,
    )
    sessions = providers.Singleton(SqlSessions, engine)
    revocation_log = providers.Singleton(SqlRevocationLog, engine)
    issued_connect_tokens = providers.Singleton(SqlIssuedConnectTokens, engine)
    account_erasure = providers.Singleton(SqlAccountErasure, engine)
    redis_client = providers.Resource(builders.redis_client, settings)
    # This process's copy of the deny-list, fed by the follower; `revoked_sessions` is what the
    # use cases consult: that copy, and Redis beside it when configured.
    local_revocations = providers.Singleton(InMemoryRevokedSessions, clock)
    revoked_sessions = providers.Singleton(
        builders.revoked_sessions, local_revocations, redis_client, revocation_log, clock, policy
    )
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    signing_keys = providers.Singleton(builders.read_signing_keys, settings)
    new_signing_key = providers.Callable(generate_private_key_pem)
    access_tokens = providers.Singleton(
        Es256AccessTokens,
        signing_keys,
        issuer=settings.provided.session_issuer,
        audience=settings.provided.session_audience,
    )

    successor_keys = providers.Singleton(HmacSuccessorKeys, signing_keys)
    public_jwks = providers.Singleton(jwk_set, signing_keys)
    readiness_checks = providers.Singleton(
        builders.readiness_checks, engine, signing_keys, redis_client
    )
    metrics = providers.Singleton(PrometheusMetrics)
    rate_limit_events = providers.Singleton(MeteredRateLimitEvents, metrics)
    rate_limit_counters = providers.Singleton(
        builders.rate_limit_counters, redis_client, rate_limit_events
    )
    rate_limiter = providers.Singleton(RateLimiter, rate_limit_counters, clock, rate_limit_events)
    trusted_proxies = providers.Singleton(TrustedProxies, settings.provided.trusted_proxies)
    # Keyed by a derivation of the signing keys: no secret of its own to configure.
    device_tokens = providers.Singleton(
        lambda keys: HmacDeviceTokens(device_token_keys(keys)), signing_keys
    )
    login_throttle = providers.Singleton(
        LoginThrottle,
        rate_limiter,
        device_tokens,
        clock,
        per_account_client=settings.provided.rate_limits.login_per_account,
        per_account=settings.provided.rate_limits.login_per_account_all_clients,
    )
    audit_log = providers.Singleton(LoggingAuditLog)

    # How the Corbado client reaches CORBADO_BACKEND_API: over the network (None). `dev`
    # overrides it to reach the emulator in-process (`corbado_emulator.dev.wiring`), through the
    # same adapter production uses.
    corbado_transport: providers.Provider[httpx.AsyncBaseTransport | None] = providers.Object(None)
    corbado_http_client = providers.Resource(
        builders.corbado_http_client, settings, corbado_transport
    )
    corbado = providers.Singleton(
        HttpxCorbadoConnect, corbado_http_client, timeout_s=settings.provided.corbado_timeout_s
    )
    # Use cases get the measured port; tests override `corbado` and are measured too.
    metered_corbado = providers.Singleton(
        MeteredCorbado, corbado, metrics, providers.Callable(builders.corbado_tracer, tracing)
    )
    passkey_data_reader = providers.Singleton(JosePasskeyDataReader)

    create_user = providers.Singleton(CreateUser, users, password_hasher, clock, audit_log)
    register = providers.Singleton(
        Register, create_user, open_to_public=settings.provided.allow_registration
    )
    start_session = providers.Singleton(
        StartSession, sessions, access_tokens, clock, policy, audit_log
    )
    password_login = providers.Singleton(
        PasswordLogin, users, password_hasher, start_session, audit_log, clock
    )
    throttled_login = providers.Singleton(ThrottledLogin, login_throttle, password_login)
    end_session = providers.Singleton(
        EndSession, sessions, revoked_sessions, clock, policy, audit_log
    )
    refresh_session = providers.Singleton(
        RefreshSession,
        sessions,
        access_tokens,
        successor_keys,
        end_session,
        clock,
        policy,
        audit_log,
    )
    authenticate = providers.Singleton(Authenticate, access_tokens, revoked_sessions, clock, policy)
    who_am_i = providers.Singleton(WhoAmI, users)
    follow_revocations = providers.Singleton(
        FollowRevocations,
        revocation_log,
        local_revocations,
        clock,
        policy,
        page_size=FOLLOW_PAGE_SIZE,
        gap_wait_s=FOLLOW_GAP_WAIT_S,
    )
    revocation_follower = providers.Singleton(
        builders.revocation_follower, follow_revocations, revoked_sessions
    )
    issue_connect_token = providers.Singleton(
        IssueConnectToken,
        who_am_i,
        metered_corbado,
        metered_corbado,
        issued_connect_tokens,
        clock,
        policy,
        identifier_kind=settings.provided.corbado_identifier,
    )
    list_sessions = providers.Singleton(ListSessions, sessions, clock, policy)
    end_own_session = providers.Singleton(EndOwnSession, list_sessions, end_session)
    end_all_sessions = providers.Singleton(EndAllSessions, list_sessions, end_session)
    forget_passkey = providers.Singleton(ForgetPasskey, list_sessions, end_session)
    delete_account_everywhere = providers.Singleton(
        DeleteAccountEverywhere,
        users,
        sessions,
        issued_connect_tokens,
        metered_corbado,
        account_erasure,
        revoked_sessions,
        clock,
        policy,
        audit_log,
        identifier_kind=settings.provided.corbado_identifier,
    )
    delete_own_account = providers.Singleton(
        DeleteOwnAccount, who_am_i, delete_account_everywhere, clock, policy
    )
    delete_account_as_operator = providers.Singleton(
        DeleteAccountAsOperator, users, delete_account_everywhere
    )
    read_revocations = providers.Singleton(
        ReadRevocations, revocation_log, policy, settings.provided.revocation_feed_secret
    )
    complete_login = providers.Singleton(
        CompleteLogin,
        passkey_data_reader,
        metered_corbado,
        user_store,
        start_session,
        clock,
        audit_log,
        project_id=settings.provided.corbado_project_id,
        identifier_kind=settings.provided.corbado_identifier,
        clock_leeway_s=policy.provided.clock_leeway_s,
    )

    # Retention (#14): what `connect-backend purge` runs once and `serve` now and then.
    retention = providers.Singleton(SqlRetention, engine)
    purge_expired = providers.Singleton(
        PurgeExpired,
        retention,
        clock,
        policy,
        batch_size=providers.Callable(purge_batch_size, engine),
    )
    periodic_purge = providers.Singleton(builders.periodic_purge, settings, purge_expired)
    request_timeouts = providers.Singleton(builders.request_timeouts)

    # Email proof and recovery (#34): mail goes out after the answer (decision 0021).
    background_work = providers.Resource(
        builders.background_work, engine, redis_client, corbado_http_client
    )
    mail_outbox = providers.Singleton(builders.dev_outbox, settings)
    mailer = providers.Singleton(builders.mailer, settings, mail_outbox)
    email_tokens = providers.Singleton(SqlEmailTokens, engine)
    mail_limiter = providers.Singleton(
        RateLimiter, rate_limit_counters, clock, rate_limit_events, MAIL_LIMIT_WINDOW_S
    )
    email_links = providers.Singleton(
        lambda settings: EmailLinks(settings.email_link_url or ""), settings
    )
    send_email_link = providers.Singleton(
        SendEmailLink,
        email_tokens,
        mailer,
        background_work,
        mail_limiter,
        clock,
        email_links,
        per_account=settings.provided.rate_limits.mail_per_account_per_hour,
        token_ttl_s=settings.provided.email_token_ttl_s,
    )
    request_verification = providers.Singleton(
        RequestVerification, who_am_i, send_email_link, enabled=settings.provided.mail_enabled
    )
    verify_email = providers.Singleton(
        VerifyEmail, email_tokens, users, clock, audit_log, enabled=settings.provided.mail_enabled
    )
    request_recovery = providers.Singleton(
        RequestRecovery, users, send_email_link, clock, enabled=settings.provided.mail_enabled
    )
    complete_recovery = providers.Singleton(
        CompleteRecovery,
        email_tokens,
        users,
        password_hasher,
        end_all_sessions,
        issued_connect_tokens,
        metered_corbado,
        start_session,
        clock,
        audit_log,
        identifier_kind=settings.provided.corbado_identifier,
        enabled=settings.provided.mail_enabled,
    )


def run_with(
    settings: Settings,
    work: Callable[[Container], Awaitable[T]],
    prepare: Callable[[Container], object] | None = None,
) -> T:
    """Run `work` on a short-lived container, started and torn down in one event loop: what a
    command does. `prepare` changes the container before it starts (dev's commands: its
    Corbado is the emulator)."""

    async def run() -> T:
        from entrypoints.container import Container

        container = Container(settings=settings)
        if prepare is not None:
            prepare(container)
        async with started(container) as running:
            return await work(running)

    return asyncio.run(run())
