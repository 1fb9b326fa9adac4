"""The composition root: the one place that builds adapters and hands them to use cases."""

from __future__ import annotations

import time
from typing import Any, cast

import httpx
import msgspec
from dependency_injector import containers, providers
from litestar import Litestar
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.argon2_hasher import Argon2PasswordHasher
from adapters.cached_users import CachedUsers
from adapters.corbado.emulator import create_emulator_app
from adapters.corbado.httpx_connect import HttpxCorbadoConnect, build_corbado_client
from adapters.corbado.passkey_data import JosePasskeyDataReader
from adapters.logging_audit_log import LoggingAuditLog
from adapters.memory_rate_limits import InMemoryRateLimitCounters
from adapters.memory_revocations import InMemoryRevokedSessions
from adapters.redis_connection import create_redis_client, ping_redis
from adapters.redis_rate_limits import RedisRateLimitCounters
from adapters.redis_revocations import RedisRevokedSessions
from adapters.sql.account_erasure import SqlAccountErasure
from adapters.sql.connect_tokens import SqlIssuedConnectTokens
from adapters.sql.engine import create_engine, ping
from adapters.sql.migrate import is_current, upgrade_to_head
from adapters.sql.retention import SqlRetention, purge_batch_size
from adapters.sql.sessions import SqlSessions
from adapters.sql.users import SqlUsers
from adapters.system_clock import SystemClock
from adapters.tokens.device_tokens import HmacDeviceTokens, device_token_keys
from adapters.tokens.jose_access_tokens import JoseAccessTokens
from adapters.tokens.signing_keys import (
    SigningKey,
    generate_private_key_pem,
    jwk_set,
    load_signing_keys,
)
from domain.ports import RevokedSessions
from domain.usecases.authenticate import Authenticate
from domain.usecases.close_account import CloseAccount
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.create_user import CreateUser
from domain.usecases.delete_account import DeleteAccount
from domain.usecases.delete_user import DeleteUser
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.end_own_session import EndOwnSession
from domain.usecases.end_session import EndSession
from domain.usecases.forget_passkey import ForgetPasskey
from domain.usecases.issue_connect_token import IssueConnectToken
from domain.usecases.list_sessions import ListSessions
from domain.usecases.password_login import PasswordLogin
from domain.usecases.purge_expired import PurgeExpired
from domain.usecases.read_revocations import ReadRevocations
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.restore_revocations import RestoreRevocations
from domain.usecases.start_session import StartSession
from domain.usecases.who_am_i import WhoAmI
from entrypoints.metered_corbado import MeteredCorbadoConnect
from entrypoints.metrics import Metrics
from entrypoints.periodic_purge import PeriodicPurge
from entrypoints.settings import Settings
from entrypoints.web.client_ip import ClientAddresses
from entrypoints.web.login_throttle import LoginThrottle
from entrypoints.web.rate_limits import RateLimitCounters, RateLimiter
from entrypoints.web.readiness import Readiness
from entrypoints.web.schemas import JwkSet


def _read_signing_keys(settings: Settings) -> list[SigningKey]:
    return load_signing_keys(settings.signing_keys_path.read_text(encoding="ascii"))


def _published_keys(keys: list[SigningKey]) -> JwkSet:
    return msgspec.convert(jwk_set(keys), JwkSet)


def _readiness(engine: AsyncEngine, keys: list[SigningKey], redis: Redis | None) -> Readiness:
    async def signing_key_loaded() -> None:
        if not keys:
            raise RuntimeError("no signing key")

    checks = [("database", lambda: ping(engine)), ("signing_key", signing_key_loaded)]
    if redis is not None:
        checks.append(("redis", lambda: ping_redis(redis)))
    return Readiness(checks)


def _redis_client(settings: Settings) -> Redis | None:
    return create_redis_client(settings.redis_url) if settings.redis_url else None


def _revoked_sessions(redis: Redis | None) -> RevokedSessions:
    # Without Redis the deny-list lives in this process: correct for one worker only, which is
    # why `serve` refuses WORKERS > 1 without REDIS_URL.
    return InMemoryRevokedSessions() if redis is None else RedisRevokedSessions(redis)


def _rate_limit_counters(redis: Redis | None) -> RateLimitCounters:
    # Without Redis the counters live in this process, as for the deny-list above.
    if redis is None:
        return InMemoryRateLimitCounters()
    return RedisRateLimitCounters(redis)


def _corbado_transport(emulator: Litestar | None) -> httpx.AsyncBaseTransport | None:
    # dev reaches the emulator in-process, through the same adapter production uses.
    if emulator is None:
        return None
    return httpx.ASGITransport(app=cast(Any, emulator))


# Profiles read by id on authenticated requests; a deletion in another worker is covered by the
# revocation of the user's sessions, so only the password hash may be this much out of date there.
USER_CACHE_ENTRIES = 10_000
USER_CACHE_TTL_S = 30.0


def _emulator(settings: Settings) -> Litestar | None:
    if not settings.use_emulator:
        return None
    return create_emulator_app(settings.corbado_project_id, settings.corbado_api_secret)


def _periodic_purge(settings: Settings, purge: PurgeExpired) -> PeriodicPurge | None:
    if settings.purge_interval_s == 0:
        return None
    return PeriodicPurge(purge.execute, settings.purge_interval_s)


class Container(containers.DeclarativeContainer):
    """Singletons for adapters and use cases; tests override the port providers."""

    settings = providers.Dependency(instance_of=Settings)
    policy = providers.Singleton(lambda s: s.policy, settings)
    clock = providers.Singleton(SystemClock)

    engine = providers.Singleton(lambda s: create_engine(s.database_url), settings)
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
    issued_connect_tokens = providers.Singleton(SqlIssuedConnectTokens, engine)
    account_erasure = providers.Singleton(SqlAccountErasure, engine)
    redis_client = providers.Singleton(_redis_client, settings)
    revoked_sessions = providers.Singleton(_revoked_sessions, redis_client)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    signing_keys = providers.Singleton(_read_signing_keys, settings)
    new_signing_key = providers.Callable(generate_private_key_pem)
    access_tokens = providers.Singleton(
        JoseAccessTokens,
        signing_keys,
        issuer=settings.provided.session_issuer,
        audience=settings.provided.session_audience,
    )

    jwk_set = providers.Singleton(_published_keys, signing_keys)
    readiness = providers.Singleton(_readiness, engine, signing_keys, redis_client)
    metrics = providers.Singleton(Metrics)
    rate_limit_counters = providers.Singleton(_rate_limit_counters, redis_client)
    rate_limiter = providers.Singleton(RateLimiter, rate_limit_counters, clock, metrics)
    client_addresses = providers.Singleton(ClientAddresses, settings.provided.trusted_proxies)
    # Keyed by a derivation of the signing keys: no secret of its own to configure.
    device_tokens = providers.Singleton(
        lambda keys: HmacDeviceTokens(device_token_keys(keys)), signing_keys
    )
    login_throttle = providers.Singleton(
        LoginThrottle, rate_limiter, device_tokens, clock, settings.provided.rate_limits
    )
    audit_log = providers.Singleton(LoggingAuditLog)

    corbado_emulator = providers.Singleton(_emulator, settings)
    corbado_http_client = providers.Singleton(
        lambda s, emulator: build_corbado_client(
            base_url="http://corbado-emulator" if emulator else s.corbado_backend_api,
            project_id=s.corbado_project_id,
            api_secret=s.corbado_api_secret,
            timeout_s=s.corbado_timeout_s,
            transport=_corbado_transport(emulator),
        ),
        settings,
        corbado_emulator,
    )
    corbado = providers.Singleton(
        HttpxCorbadoConnect, corbado_http_client, timeout_s=settings.provided.corbado_timeout_s
    )
    # Use cases get the measured port; tests override `corbado` and are measured too.
    metered_corbado = providers.Singleton(MeteredCorbadoConnect, corbado, metrics)
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
    end_session = providers.Singleton(
        EndSession, sessions, revoked_sessions, clock, policy, audit_log
    )
    refresh_session = providers.Singleton(
        RefreshSession, sessions, access_tokens, end_session, clock, policy, audit_log
    )
    authenticate = providers.Singleton(Authenticate, access_tokens, revoked_sessions, clock, policy)
    who_am_i = providers.Singleton(WhoAmI, users)
    restore_revocations = providers.Singleton(
        RestoreRevocations, sessions, revoked_sessions, clock, policy
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
    close_account = providers.Singleton(
        CloseAccount,
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
    delete_account = providers.Singleton(DeleteAccount, who_am_i, close_account, clock, policy)
    delete_user = providers.Singleton(DeleteUser, users, close_account)
    read_revocations = providers.Singleton(
        ReadRevocations, sessions, policy, settings.provided.revocation_feed_secret
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
    periodic_purge = providers.Singleton(_periodic_purge, settings, purge_expired)
