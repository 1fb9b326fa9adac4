"""Which web origins may use the browser transport, and which origin a request comes from.

An origin is compared in its serialised form, `scheme://host[:port]` with the scheme and host in
lower case and the scheme's default port left out: what a browser sends in `Origin`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from entrypoints.configuration import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Browsers treat these two spellings of a developer's machine as two origins (and two sites).
_LOOPBACK_NAMES = ("localhost", "127.0.0.1")


class OriginNotAllowed(Exception):
    """A browser-transport request whose `Origin` (else `Referer`) is missing or not allowed."""


def origin_of(url: str) -> str | None:
    """The serialised origin of an http(s) URL; None for anything else (`null` among them)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return (
        f"{scheme}://{host}"
        if port in (None, _DEFAULT_PORTS[scheme])
        else f"{scheme}://{host}:{port}"
    )


def browser_origins(settings: Settings) -> frozenset[str]:
    """`CORS_ALLOW_ORIGINS` and the origin of `SESSION_ISSUER`; an issuer on `localhost` or
    `127.0.0.1` (as in `dev`) brings the other spelling at the same port."""
    allowed = set(_origins((*settings.cors_allow_origins, settings.session_issuer)))
    issuer = urlsplit(settings.session_issuer)
    if issuer.hostname in _LOOPBACK_NAMES:
        port = f":{issuer.port}" if issuer.port is not None else ""
        allowed.update(_origins(f"{issuer.scheme}://{name}{port}" for name in _LOOPBACK_NAMES))
    return frozenset(allowed)


def request_origin(origin: str | None, referer: str | None) -> str | None:
    """Where a request comes from: its `Origin` header if it has one (`null` names no origin),
    else the origin of its `Referer`."""
    if origin is not None:
        return origin_of(origin)
    return origin_of(referer) if referer is not None else None


def _origins(urls: Iterable[str]) -> Iterable[str]:
    return (origin for origin in map(origin_of, urls) if origin is not None)
