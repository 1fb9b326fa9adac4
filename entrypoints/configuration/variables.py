"""What a row of the settings table says about an environment variable, and the parsers of a
variable's text: each takes the trimmed, non-empty text and returns the value, or raises
`ValueError` saying what is wrong (`settings` adds the variable's name)."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

TrustedProxies = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


class Need(enum.Enum):
    """Who reads a variable; `serve` reads them all."""

    REQUIRED = enum.auto()  # `serve` refuses to start without it; `dev` sets its own value
    SERVE = enum.auto()  # only `serve` reads it; `dev` keeps the field's default
    OPTIONAL = enum.auto()  # `serve` and `dev` read it; unset, the field keeps its default


@dataclass(frozen=True, slots=True)
class Variable:
    """An environment variable: the field it sets (`group.name` for a field of `policy` or
    `rate_limits`), the parser of its text, and who reads it."""

    name: str
    field: str
    parse: Callable[[str], object]
    need: Need = Need.OPTIONAL


def prefixed(prefix: str) -> Callable[[str], str]:
    """Text that starts with `prefix`."""

    def parse(raw: str) -> str:
        if not raw.startswith(prefix):
            raise ValueError(f"must start with {prefix!r}")
        return raw

    return parse


def secret(raw: str) -> str:
    if len(raw) < 32:
        raise ValueError("must be at least 32 characters")
    return raw


def url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return raw


def corbado_url(raw: str) -> str:
    parts = urlsplit(url(raw))
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


def existing_file(raw: str) -> Path:
    path = Path(raw)
    if not path.is_file():
        raise ValueError("no such file")
    return path


# The drivers the interface names; SQLite runs on the standard library's sqlite3 whatever the
# URL says (`adapters/sql/engine.py`).
DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
_MORE_THAN_ONE_AT = "holds more than one unencoded @ (percent-encode it in the password: %40)"


def database_url(raw: str) -> URL:
    """The URL as SQLAlchemy's own parser reads it: what the engine is built from.

    No message quotes the text, which holds a password. SQLAlchemy ends the password at its
    first `@`, so a second unencoded one moves the rest of the password into the host name or
    the port: a server URL holds one `@` only. An SQLite URL names a file and nothing else
    (`sqlite+aiosqlite:///path`, whose path may hold `@`).
    """
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        # SQLAlchemy's own message quotes what it could not read: part of a password, maybe.
        raise ValueError(
            _MORE_THAN_ONE_AT
            if raw.count("@") > 1
            else "does not parse as a URL (percent-encode @ : / ? # in the user and password)"
        ) from None
    if url.drivername not in DATABASE_DRIVERS:
        raise ValueError("must be sqlite+aiosqlite:// or postgresql+asyncpg://")
    if url.get_backend_name() == "sqlite":
        if url.username is not None or url.password is not None or url.host or url.port:
            raise ValueError("an SQLite URL names a file only: sqlite+aiosqlite:///path")
        return url
    if raw.count("@") > 1:
        raise ValueError(_MORE_THAN_ONE_AT)
    if url.port is not None and not 0 < url.port < 65536:
        raise ValueError("its port must be 1 to 65535")
    return url


def non_negative_float(raw: str) -> float:
    value = float(raw)
    # NaN compares false with everything, so it falls out here too.
    if not 0 <= value < float("inf"):
        raise ValueError("must be 0 or a positive number")
    return value


def whole_number(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    """An integer from `low` to `high`, both included; `unit` follows them in the message."""

    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"must be {low} to {high}{unit}")
        return value

    return parse


def positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a positive number")
    return value


def boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def networks(raw: str) -> TrustedProxies:
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in raw.split(",")
        if entry.strip()
    )


def origins(raw: str) -> tuple[str, ...]:
    listed = tuple(origin.strip() for origin in raw.split(",") if origin.strip())
    for origin in listed:
        if "*" in origin:
            raise ValueError("list the origins; a wildcard is not allowed")
        if not _is_origin(origin):
            # CORS compares the text as given, the browser transport the origin it names: an
            # entry that is not exactly an origin would make them disagree.
            raise ValueError(f"{origin!r} is not an origin: scheme://host[:port] in lower case")
    return listed


def _is_origin(text: str) -> bool:
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal, as the URL writes it
    return (
        parts.scheme in ("http", "https")
        and bool(host)
        and f"{parts.scheme}://{parts.netloc}" == text
        and parts.netloc == (f"{host}:{port}" if port is not None else host)
        and text == text.lower()
    )


@dataclass(frozen=True, slots=True)
class SmtpUrl:
    """Where `SMTP_URL` says to hand mail: `smtp://` with STARTTLS, `smtps://` with TLS from
    the first byte; user and password percent-decoded."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)


_SMTP_PORTS = {"smtp": 587, "smtps": 465}


def smtp_url(raw: str) -> SmtpUrl:
    # The messages never quote the URL: it holds a password.
    parts = urlsplit(raw)
    if parts.scheme not in _SMTP_PORTS:
        raise ValueError("must be smtp:// (STARTTLS) or smtps:// (TLS)")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            "its port is not a number (percent-encode / ? # @ in the password)"
        ) from None
    if not parts.hostname:
        raise ValueError("names no host")
    return SmtpUrl(
        host=parts.hostname,
        port=port or _SMTP_PORTS[parts.scheme],
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def mail_from(raw: str) -> str:
    _, address = parseaddr(raw)
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or any(ch in raw for ch in "\r\n"):
        raise ValueError("must be an address, e.g. Example <noreply@example.com>")
    return raw


def link_url(raw: str) -> str:
    """An http(s) URL holding `{token}`; `http://` only for a loopback host."""
    if "{token}" not in raw:
        raise ValueError("must hold {token}, where the link's token goes")
    parts = urlsplit(url(raw))
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError("http:// is allowed only for a loopback host; use https://")
    return raw
