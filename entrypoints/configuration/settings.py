"""Configuration: read from the environment for `serve`, embedded defaults for `dev`.

`VARIABLES` is the one table of what is read: each variable names the field it sets and its
parser; an unset variable leaves the field's default, so every default is written once, on the
dataclass field (the session numbers on the domain's `SessionPolicy`). Each variable is read and
parsed once; rules between fields are checked afterwards, on the values.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from domain.model import IdentifierKind
from domain.policy import SessionPolicy
from entrypoints.configuration import variables as parse
from entrypoints.configuration.errors import ConfigError
from entrypoints.configuration.secret_files import secret_value
from entrypoints.configuration.variables import Need, SmtpUrl, TrustedProxies, Variable

DEFAULT_CORBADO_BACKEND_API = "https://backendapi.cloud.corbado.io"
DEFAULT_PORT = 8000
DEV_STATE_DIR = Path(".connect-backend")
DEV_PROJECT_ID = "pro-1000000000000000001"
# Not a secret: the dev emulator accepts it and nothing else does.
DEV_API_SECRET = "corbado1_dev-emulator-only"
# dev's Corbado: a name no resolver knows, answered in-process by the emulator (`dev` overrides
# the container's `corbado_transport`), so a dev process never calls out by mistake.
DEV_CORBADO_BACKEND_API = "http://corbado-emulator"


# The account-wide cap on failed logins is this many times RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE:
# ten clients' worth of failures before an owner on a new device is refused (decision 0008).
ACCOUNT_WIDE_FACTOR = 10


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """Requests per client IP per minute, each endpoint on its own; for login, failures per
    (account, client) and per account (see `domain.protection.login_throttle`).

    `passkey_per_ip` covers createConnectToken and completeLogin, the two calls that reach
    Corbado; it is capped so that one client stays far below Corbado's own limit.
    """

    login_per_ip: int = 30
    login_per_account: int = 10
    register_per_ip: int = 10
    refresh_per_ip: int = 60
    passkey_per_ip: int = 30
    # Each of the four email routes per client per minute; mails per address per hour.
    email_per_ip: int = 10
    mail_per_account_per_hour: int = 5

    @property
    def login_per_account_all_clients(self) -> int:
        """Failed logins per account from every client together (clients without a device
        token for it): the cap a botnet meets, `ACCOUNT_WIDE_FACTOR` per-client allowances."""
        return ACCOUNT_WIDE_FACTOR * self.login_per_account


# Corbado allows 2000 requests per 10 s per IP. Fixed windows let a client spend two windows'
# worth in an instant, on two endpoints: 2 x 2 x 400 = 1600 stays below it.
MAX_PASSKEY_PER_MINUTE = 400


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the composition root needs, already validated."""

    corbado_project_id: str
    corbado_api_secret: str
    session_issuer: str
    session_audience: str
    signing_keys_path: Path
    # Parsed once, by SQLAlchemy's parser (`variables.database_url`): the engine's URL.
    database_url: URL
    host: str = "0.0.0.0"  # noqa: S104 - a server listens on every interface unless told
    port: int = DEFAULT_PORT
    corbado_backend_api: str = DEFAULT_CORBADO_BACKEND_API
    corbado_timeout_s: float = 5.0
    corbado_identifier: IdentifierKind = IdentifierKind.EMAIL
    policy: SessionPolicy = field(default_factory=SessionPolicy)
    revocation_feed_secret: str | None = None
    redis_url: str | None = None
    allow_registration: bool = False
    cors_allow_origins: tuple[str, ...] = ()
    use_emulator: bool = False
    # dev only: where the emulator keeps its users and passkeys across restarts.
    emulator_state_path: Path | None = None
    workers: int = 1
    rate_limits: RateLimitSettings = RateLimitSettings()
    trusted_proxies: TrustedProxies = ()
    request_timeout_s: float = 15.0
    # How often each worker purges what can no longer matter, on average; 0 turns it off.
    purge_interval_s: float = 3600.0
    # Mail (email proof and recovery): SMTP in production; dev keeps an outbox instead.
    smtp: SmtpUrl | None = None
    mail_from: str | None = None
    email_link_url: str | None = None
    email_token_ttl_s: int = 900
    mail_outbox: bool = False

    @property
    def mail_enabled(self) -> bool:
        """Whether mail can be sent: without it the email routes answer 503."""
        return self.smtp is not None or self.mail_outbox

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Production settings; raises `ConfigError` naming the first bad variable."""
        settings = _settings(_read(env, frozenset(Need)))
        _refuse_development_credentials(settings)
        if settings.workers > 1 and not (
            settings.redis_url and settings.database_url.get_backend_name() == "postgresql"
        ):
            # The deny-list, rate limits and SQLite are per process: workers would disagree.
            raise ConfigError(
                "WORKERS", "more than 1 needs REDIS_URL and a postgresql+asyncpg DATABASE_URL"
            )
        return settings

    @classmethod
    def for_dev(cls, env: Mapping[str, str], state_dir: Path = DEV_STATE_DIR) -> Settings:
        """Embedded defaults (SQLite, a kept key, the emulator); tunables may still be set."""
        values = _read(env, {Need.OPTIONAL})
        port = values.get("port", DEFAULT_PORT)
        values.update(
            corbado_project_id=DEV_PROJECT_ID,
            corbado_api_secret=DEV_API_SECRET,
            session_issuer=f"http://127.0.0.1:{values.get('port', DEFAULT_PORT)}",
            session_audience="connect-backend-dev",
            signing_keys_path=state_dir / "signing-keys.pem",
            database_url=URL.create("sqlite+aiosqlite", database=str(state_dir / "dev.sqlite3")),
            emulator_state_path=state_dir / "corbado-emulator.json",
            corbado_backend_api=DEV_CORBADO_BACKEND_API,
            host="127.0.0.1",
            allow_registration=True,
            use_emulator=True,
            mail_outbox=True,
            mail_from="connect-backend dev <noreply@localhost>",
            # The demo's origin: passkeys work on localhost, not 127.0.0.1.
            email_link_url=f"http://localhost:{port}/#{{purpose}}={{token}}",
        )
        return _settings(values)

    @classmethod
    def for_database(cls, env: Mapping[str, str], reads: Collection[str] = ()) -> Settings:
        """Settings of a command that works on the database alone (`migrate`, `users add`,
        `purge`): `DATABASE_URL`, required, and the variables `reads` names (`purge` reads
        `RETENTION`: the lifetimes decide what can no longer matter). Nothing of Corbado, the
        signing keys or the server is read, and none of it is used. Raises `ConfigError` as
        `from_env` does."""
        values = _read(env, frozenset(Need), {*reads, "DATABASE_URL"})
        values.update(NOT_READ_BY_DATABASE_COMMANDS)
        return _settings(values)


def database_given(env: Mapping[str, str]) -> bool:
    """Whether `DATABASE_URL` (or `DATABASE_URL_FILE`) is set: a command then works on that
    database, not the dev one. Raises `ConfigError` when both forms are set."""
    return bool(secret_value(env, "DATABASE_URL").strip())


# A database command never calls Corbado, signs no token and serves nothing: its settings say so.
NOT_READ_BY_DATABASE_COMMANDS: Mapping[str, Any] = {
    "corbado_project_id": "",
    "corbado_api_secret": "",
    "session_issuer": "",
    "session_audience": "",
    "signing_keys_path": Path(),
}


def _passkey_rate(raw: str) -> int:
    value = parse.positive_int(raw)
    if value > MAX_PASSKEY_PER_MINUTE:
        raise ValueError(f"must be at most {MAX_PASSKEY_PER_MINUTE} (Corbado's own limit)")
    return value


# In the order they are checked: the first bad one is the one `serve` names.
VARIABLES = (
    Variable("CORBADO_PROJECT_ID", "corbado_project_id", parse.prefixed("pro-"), Need.REQUIRED),
    Variable(
        "CORBADO_API_SECRET", "corbado_api_secret", parse.prefixed("corbado1_"), Need.REQUIRED
    ),
    Variable("SESSION_ISSUER", "session_issuer", parse.url, Need.REQUIRED),
    Variable("SESSION_AUDIENCE", "session_audience", str, Need.REQUIRED),
    Variable("SESSION_SIGNING_KEYS", "signing_keys_path", parse.existing_file, Need.REQUIRED),
    Variable("DATABASE_URL", "database_url", parse.database_url, Need.REQUIRED),
    Variable("WORKERS", "workers", parse.positive_int, Need.SERVE),
    Variable("HOST", "host", str),
    Variable("PORT", "port", parse.whole_number(1, 65535)),
    Variable("CORBADO_BACKEND_API", "corbado_backend_api", parse.corbado_url),
    Variable("CORBADO_TIMEOUT_S", "corbado_timeout_s", parse.positive_float),
    Variable("CORBADO_IDENTIFIER", "corbado_identifier", IdentifierKind),
    Variable("ACCESS_TOKEN_TTL_S", "policy.access_token_ttl_s", parse.positive_int),
    Variable("REFRESH_TOKEN_TTL_S", "policy.session_lifetime_s", parse.positive_int),
    Variable(
        "REFRESH_REUSE_GRACE_S",
        "policy.refresh_reuse_grace_s",
        parse.whole_number(0, 300, " seconds"),
    ),
    Variable("SESSION_IDLE_TIMEOUT_S", "policy.session_idle_timeout_s", parse.positive_int),
    Variable("SENSITIVE_ACTION_MAX_AGE_S", "policy.sensitive_action_max_age_s", parse.positive_int),
    Variable("REVOCATION_FEED_SECRET", "revocation_feed_secret", parse.secret),
    Variable("REDIS_URL", "redis_url", str),
    Variable("ALLOW_REGISTRATION", "allow_registration", parse.boolean),
    Variable("CORS_ALLOW_ORIGINS", "cors_allow_origins", parse.origins),
    Variable("RATE_LIMIT_LOGIN_PER_MINUTE", "rate_limits.login_per_ip", parse.positive_int),
    Variable(
        "RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE", "rate_limits.login_per_account", parse.positive_int
    ),
    Variable("RATE_LIMIT_REGISTER_PER_MINUTE", "rate_limits.register_per_ip", parse.positive_int),
    Variable("RATE_LIMIT_REFRESH_PER_MINUTE", "rate_limits.refresh_per_ip", parse.positive_int),
    Variable("RATE_LIMIT_PASSKEY_PER_MINUTE", "rate_limits.passkey_per_ip", _passkey_rate),
    Variable("TRUSTED_PROXIES", "trusted_proxies", parse.networks),
    Variable("REQUEST_TIMEOUT_S", "request_timeout_s", parse.positive_float),
    Variable("PURGE_INTERVAL_S", "purge_interval_s", parse.non_negative_float),
    Variable("SMTP_URL", "smtp", parse.smtp_url, Need.SERVE),
    Variable("MAIL_FROM", "mail_from", parse.mail_from, Need.SERVE),
    Variable("EMAIL_LINK_URL", "email_link_url", parse.link_url, Need.SERVE),
    Variable("EMAIL_TOKEN_TTL_S", "email_token_ttl_s", parse.whole_number(60, 86_400, " seconds")),
    Variable("RATE_LIMIT_EMAIL_PER_MINUTE", "rate_limits.email_per_ip", parse.positive_int),
    Variable(
        "RATE_LIMIT_MAIL_ACCOUNT_PER_HOUR",
        "rate_limits.mail_per_account_per_hour",
        parse.positive_int,
    ),
)
# What `purge` reads besides DATABASE_URL: the lifetimes `domain/retention.py` derives its
# cut-offs from (the access tokens' span, the idle timeout).
RETENTION = frozenset({"ACCESS_TOKEN_TTL_S", "SESSION_IDLE_TIMEOUT_S"})
# The fields that hold a dataclass of their own, and its type: `policy.access_token_ttl_s`.
GROUPS: Mapping[str, Callable[..., Any]] = {
    "policy": SessionPolicy,
    "rate_limits": RateLimitSettings,
}


def _read(
    env: Mapping[str, str], needs: Collection[Need], names: Collection[str] | None = None
) -> dict[str, Any]:
    """The parsed value of each set variable `needs` selects (of those `names` names, when
    given), by field path; a secret may come from the file its `NAME_FILE` names."""
    values: dict[str, Any] = {}
    for variable in VARIABLES:
        if variable.need not in needs or (names is not None and variable.name not in names):
            continue
        raw = secret_value(env, variable.name).strip()
        if not raw:
            if variable.need is Need.REQUIRED:
                raise ConfigError(variable.name, "is required but not set")
            continue
        try:
            values[variable.field] = variable.parse(raw)
        except ValueError as exc:
            raise ConfigError(variable.name, f"is not valid ({exc})") from exc
    return values


def _settings(values: Mapping[str, Any]) -> Settings:
    """Settings from values by field path, once the rules between them hold."""
    fields: dict[str, Any] = {}
    members: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    for path, value in values.items():
        group, dot, name = path.rpartition(".")
        (members[group] if dot else fields)[name] = value
    groups = {group: GROUPS[group](**members[group]) for group in GROUPS}
    settings = Settings(**fields, **groups)
    _check_timeouts(settings)
    return settings


def _check_timeouts(settings: Settings) -> None:
    policy = settings.policy
    # Ending every session revokes only the sessions that are still alive: a session that
    # went idle while one of its access tokens was still valid would keep that token working.
    shortest = policy.access_token_ttl_s + policy.clock_leeway_s
    if policy.session_idle_timeout_s < shortest:
        raise ConfigError(
            "SESSION_IDLE_TIMEOUT_S",
            f"must be at least ACCESS_TOKEN_TTL_S plus {policy.clock_leeway_s} s "
            f"of clock leeway ({shortest})",
        )
    if settings.request_timeout_s <= settings.corbado_timeout_s:
        raise ConfigError("REQUEST_TIMEOUT_S", "must be greater than CORBADO_TIMEOUT_S")
    _check_mail(settings)


def _check_mail(settings: Settings) -> None:
    if settings.smtp is None:
        return
    # Mail that names no sender, or links to nowhere, is worse than none.
    for variable, value in (
        ("MAIL_FROM", settings.mail_from),
        ("EMAIL_LINK_URL", settings.email_link_url),
    ):
        if value is None:
            raise ConfigError(variable, "is required with SMTP_URL")


def _refuse_development_credentials(settings: Settings) -> None:
    # The emulator's credentials are public (they are in this file): a deployment using them
    # talks to an emulator, or to nothing, and its passkey logins prove nothing.
    if settings.corbado_api_secret == DEV_API_SECRET:
        raise ConfigError("CORBADO_API_SECRET", "is the emulator's development secret")
    if settings.corbado_project_id == DEV_PROJECT_ID:
        raise ConfigError("CORBADO_PROJECT_ID", "is the emulator's development project")
