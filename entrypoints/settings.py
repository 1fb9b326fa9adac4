"""Configuration: read from the environment for `serve`, embedded defaults for `dev`."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, TypeVar
from urllib.parse import urlsplit

from domain.model import IdentifierKind
from domain.policy import SessionPolicy

T = TypeVar("T")

DEFAULT_CORBADO_BACKEND_API = "https://backendapi.cloud.corbado.io"
DEV_STATE_DIR = Path(".connect-backend")
DEV_PROJECT_ID = "pro-1000000000000000001"
# Not a secret: the dev emulator accepts it and nothing else does.
DEV_API_SECRET = "corbado1_dev-emulator-only"


class ConfigError(ValueError):
    """A missing or unusable setting; `variable` names it for the one-line error of `serve`."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


# The account-wide cap on failed logins is this many times RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE:
# ten clients' worth of failures before an owner on a new device is refused (decision 0008).
ACCOUNT_WIDE_FACTOR = 10


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """Requests per client IP per minute, each endpoint on its own; for login, failures per
    (account, client) and per account (see `entrypoints.web.login_throttle`).

    `passkey_per_ip` covers createConnectToken and completeLogin, the two calls that reach
    Corbado; it is capped so that one client stays far below Corbado's own limit.
    """

    login_per_ip: int = 30
    login_per_account: int = 10
    register_per_ip: int = 10
    refresh_per_ip: int = 60
    passkey_per_ip: int = 30

    @property
    def login_per_account_all_clients(self) -> int:
        """Failed logins per account from every client together (clients without a device
        token for it): the cap a botnet meets, `ACCOUNT_WIDE_FACTOR` per-client allowances."""
        return ACCOUNT_WIDE_FACTOR * self.login_per_account


# Corbado allows 2000 requests per 10 s per IP. Fixed windows let a client spend two windows'
# worth in an instant, on two endpoints: 2 x 2 x 400 = 1600 stays below it.
MAX_PASSKEY_PER_MINUTE = 400
TrustedProxies = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
# How often each worker purges what can no longer matter, on average; 0 turns it off.
DEFAULT_PURGE_INTERVAL_S = 3600.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the composition root needs, already validated."""

    corbado_project_id: str
    corbado_api_secret: str
    session_issuer: str
    session_audience: str
    signing_keys_path: Path
    database_url: str
    host: str = "0.0.0.0"  # noqa: S104 - a server listens on every interface unless told
    port: int = 8000
    corbado_backend_api: str = DEFAULT_CORBADO_BACKEND_API
    corbado_timeout_s: float = 5.0
    corbado_identifier: IdentifierKind = IdentifierKind.EMAIL
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 2_592_000
    refresh_reuse_grace_s: int = 30
    session_idle_timeout_s: int = 1_209_600
    sensitive_action_max_age_s: int = 600
    revocation_feed_secret: str | None = None
    redis_url: str | None = None
    allow_registration: bool = False
    cors_allow_origins: tuple[str, ...] = ()
    use_emulator: bool = False
    workers: int = 1
    rate_limits: RateLimitSettings = RateLimitSettings()
    trusted_proxies: TrustedProxies = ()
    request_timeout_s: float = 15.0
    purge_interval_s: float = DEFAULT_PURGE_INTERVAL_S

    @property
    def policy(self) -> SessionPolicy:
        """The session rules these settings describe."""
        return SessionPolicy(
            access_token_ttl_s=self.access_token_ttl_s,
            session_lifetime_s=self.refresh_token_ttl_s,
            session_idle_timeout_s=self.session_idle_timeout_s,
            refresh_reuse_grace_s=self.refresh_reuse_grace_s,
            sensitive_action_max_age_s=self.sensitive_action_max_age_s,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Production settings; raises `ConfigError` naming the first bad variable."""
        reader = _EnvReader(env)
        settings = cls(
            corbado_project_id=reader.required("CORBADO_PROJECT_ID", _prefixed("pro-")),
            corbado_api_secret=reader.required("CORBADO_API_SECRET", _prefixed("corbado1_")),
            session_issuer=reader.required("SESSION_ISSUER", _url),
            session_audience=reader.required("SESSION_AUDIENCE", str),
            signing_keys_path=reader.required("SESSION_SIGNING_KEYS", _existing_file),
            database_url=reader.required("DATABASE_URL", _database_url),
            workers=reader.optional("WORKERS", _positive_int, 1),
            **reader.common(),
        )
        _refuse_development_credentials(settings)
        if settings.workers > 1 and not (
            settings.redis_url and settings.database_url.startswith("postgresql")
        ):
            # The deny-list, rate limits and SQLite are per process: workers would disagree.
            raise ConfigError(
                "WORKERS", "more than 1 needs REDIS_URL and a postgresql+asyncpg DATABASE_URL"
            )
        return settings

    @classmethod
    def for_dev(cls, env: Mapping[str, str], state_dir: Path = DEV_STATE_DIR) -> Settings:
        """Embedded defaults (SQLite, a kept key, the emulator); tunables may still be set."""
        reader = _EnvReader(env)
        common = reader.common()
        common.update({"host": "127.0.0.1", "allow_registration": True, "use_emulator": True})
        return cls(
            corbado_project_id=DEV_PROJECT_ID,
            corbado_api_secret=DEV_API_SECRET,
            session_issuer=f"http://127.0.0.1:{common['port']}",
            session_audience="connect-backend-dev",
            signing_keys_path=state_dir / "signing-keys.pem",
            database_url=f"sqlite+aiosqlite:///{state_dir / 'dev.sqlite3'}",
            **common,
        )


class _Tunables(TypedDict):
    host: str
    port: int
    corbado_backend_api: str
    corbado_timeout_s: float
    corbado_identifier: IdentifierKind
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    refresh_reuse_grace_s: int
    session_idle_timeout_s: int
    sensitive_action_max_age_s: int
    revocation_feed_secret: str | None
    redis_url: str | None
    allow_registration: bool
    cors_allow_origins: tuple[str, ...]
    use_emulator: bool
    rate_limits: RateLimitSettings
    trusted_proxies: TrustedProxies
    request_timeout_s: float
    purge_interval_s: float


class _EnvReader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def required(self, name: str, parse: Callable[[str], T]) -> T:
        raw = self._env.get(name, "").strip()
        if not raw:
            raise ConfigError(name, "is required but not set")
        return self._parse(name, raw, parse)

    def optional(self, name: str, parse: Callable[[str], T], default: T) -> T:
        raw = self._env.get(name, "").strip()
        return self._parse(name, raw, parse) if raw else default

    def common(self) -> _Tunables:
        no_origins: tuple[str, ...] = ()
        return {
            "host": self.optional("HOST", str, "0.0.0.0"),  # noqa: S104
            "port": self.optional("PORT", _port, 8000),
            "corbado_backend_api": self.optional(
                "CORBADO_BACKEND_API", _corbado_url, DEFAULT_CORBADO_BACKEND_API
            ),
            "corbado_timeout_s": self.optional("CORBADO_TIMEOUT_S", _positive_float, 5.0),
            "corbado_identifier": self.optional(
                "CORBADO_IDENTIFIER", IdentifierKind, IdentifierKind.EMAIL
            ),
            "access_token_ttl_s": self.optional("ACCESS_TOKEN_TTL_S", _positive_int, 900),
            "refresh_token_ttl_s": self.optional("REFRESH_TOKEN_TTL_S", _positive_int, 2_592_000),
            "refresh_reuse_grace_s": self.optional("REFRESH_REUSE_GRACE_S", _grace, 30),
            "session_idle_timeout_s": self.session_idle_timeout(),
            "sensitive_action_max_age_s": self.optional(
                "SENSITIVE_ACTION_MAX_AGE_S", _positive_int, 600
            ),
            "revocation_feed_secret": self.optional("REVOCATION_FEED_SECRET", _secret, None),
            "redis_url": self.optional("REDIS_URL", str, None),
            "allow_registration": self.optional("ALLOW_REGISTRATION", _boolean, False),
            "cors_allow_origins": self.optional("CORS_ALLOW_ORIGINS", _origins, no_origins),
            "use_emulator": False,
            "rate_limits": self.rate_limits(),
            "trusted_proxies": self.optional("TRUSTED_PROXIES", _networks, ()),
            "request_timeout_s": self.request_timeout(),
            "purge_interval_s": self.optional(
                "PURGE_INTERVAL_S", _non_negative_float, DEFAULT_PURGE_INTERVAL_S
            ),
        }

    def rate_limits(self) -> RateLimitSettings:
        default = RateLimitSettings()
        return RateLimitSettings(
            login_per_ip=self.optional(
                "RATE_LIMIT_LOGIN_PER_MINUTE", _positive_int, default.login_per_ip
            ),
            login_per_account=self.optional(
                "RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE", _positive_int, default.login_per_account
            ),
            register_per_ip=self.optional(
                "RATE_LIMIT_REGISTER_PER_MINUTE", _positive_int, default.register_per_ip
            ),
            refresh_per_ip=self.optional(
                "RATE_LIMIT_REFRESH_PER_MINUTE", _positive_int, default.refresh_per_ip
            ),
            passkey_per_ip=self.optional(
                "RATE_LIMIT_PASSKEY_PER_MINUTE", _passkey_rate, default.passkey_per_ip
            ),
        )

    def session_idle_timeout(self) -> int:
        idle = self.optional("SESSION_IDLE_TIMEOUT_S", _positive_int, 1_209_600)
        access = self.optional("ACCESS_TOKEN_TTL_S", _positive_int, 900)
        # Ending every session revokes only the sessions that are still alive: a session that
        # went idle while one of its access tokens was still valid would keep that token working.
        shortest = access + SessionPolicy().clock_leeway_s
        if idle < shortest:
            raise ConfigError(
                "SESSION_IDLE_TIMEOUT_S",
                f"must be at least ACCESS_TOKEN_TTL_S plus {SessionPolicy().clock_leeway_s} s "
                f"of clock leeway ({shortest})",
            )
        return idle

    def request_timeout(self) -> float:
        timeout = self.optional("REQUEST_TIMEOUT_S", _positive_float, 15.0)
        corbado = self.optional("CORBADO_TIMEOUT_S", _positive_float, 5.0)
        if timeout <= corbado:
            raise ConfigError("REQUEST_TIMEOUT_S", "must be greater than CORBADO_TIMEOUT_S")
        return timeout

    @staticmethod
    def _parse(name: str, raw: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(raw)
        except ValueError as exc:
            raise ConfigError(name, f"is not valid ({exc})") from exc


def _secret(raw: str) -> str | None:
    if len(raw) < 32:
        raise ValueError("must be at least 32 characters")
    return raw


def _prefixed(prefix: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not raw.startswith(prefix):
            raise ValueError(f"must start with {prefix!r}")
        return raw

    return parse


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return raw


def _corbado_url(raw: str) -> str:
    parts = urlsplit(_url(raw))
    # Every request carries the API secret as Basic credentials: in clear text only to this host.
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError("http:// is allowed only for a loopback host; use https://")
    return raw


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse_development_credentials(settings: Settings) -> None:
    # The emulator's credentials are public (they are in this file): a deployment using them
    # talks to an emulator, or to nothing, and its passkey logins prove nothing.
    if settings.corbado_api_secret == DEV_API_SECRET:
        raise ConfigError("CORBADO_API_SECRET", "is the emulator's development secret")
    if settings.corbado_project_id == DEV_PROJECT_ID:
        raise ConfigError("CORBADO_PROJECT_ID", "is the emulator's development project")


def _existing_file(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise ValueError("no such file")
    return path


def _database_url(raw: str) -> str:
    if not raw.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError("must be sqlite+aiosqlite:// or postgresql+asyncpg://")
    # A port that is not a number would otherwise surface only when the engine is built.
    _ = urlsplit(raw).port
    return raw


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError("must be 1 to 65535")
    return port


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _grace(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 300:
        raise ValueError("must be 0 to 300 seconds")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a positive number")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    # NaN compares false with everything, so it falls out here too.
    if not 0 <= value < float("inf"):
        raise ValueError("must be 0 or a positive number")
    return value


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _passkey_rate(raw: str) -> int:
    value = _positive_int(raw)
    if value > MAX_PASSKEY_PER_MINUTE:
        raise ValueError(f"must be at most {MAX_PASSKEY_PER_MINUTE} (Corbado's own limit)")
    return value


def _networks(raw: str) -> TrustedProxies:
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in raw.split(",")
        if entry.strip()
    )


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(origin.strip() for origin in raw.split(",") if origin.strip())
    if "*" in origins:
        raise ValueError("list the origins; a wildcard is not allowed")
    return origins
