"""What browsers need from us: CORS for the configured frontends, and defensive headers.

The headers are added in a `before_send` hook, which sees every response the app sends:
handler answers, errors, 404/405 from the router, CORS preflights and the emulator mount.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from entrypoints.web.observability import REQUEST_ID_HEADER, request_id_of
from entrypoints.web.pages import PAGE_CSP
from entrypoints.web.session_transport import SESSION_TRANSPORT

SECURITY_HEADERS = {
    # Instead of granian's own `server: granian`: which server runs is nobody's business.
    "Server": "connect-backend",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# We only serve JSON: nothing may be loaded, framed or submitted in our name.
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_PATH = "/schema"
_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")
_SECURITY_RAW = [
    (name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]
_CSP_RAW = (b"content-security-policy", STRICT_CSP.encode())
_PAGE_CSP_RAW = (b"content-security-policy", PAGE_CSP.encode())
_REQUEST_ID_RAW = REQUEST_ID_HEADER.lower().encode()
_REFUSED_PREFLIGHT = "connect_backend.refused_preflight"
_REFUSED_PREFLIGHT_BODY = msgspec.json.encode(
    {"error": "cors_rejected", "message": "This origin, method or header is not allowed."}
)


def cors_config(origins: Sequence[str]) -> CORSConfig | None:
    """CORS for `CORS_ALLOW_ORIGINS`; None (no CORS headers at all) when it lists none.

    Credentials (the browser transport's refresh cookie) are allowed for exactly these origins,
    never a wildcard (`settings` refuses `*`), and so is the `Session-Transport` header that
    selects that transport: a page elsewhere cannot send it, as its preflight is refused.
    """
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER, SESSION_TRANSPORT],
        allow_credentials=True,
        expose_headers=[REQUEST_ID_HEADER, "Retry-After", "WWW-Authenticate"],
        max_age=600,
    )


async def add_browser_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: security headers and `X-Request-ID` on every response."""
    if message["type"] == "http.response.start":
        # On the raw header list: one pass, where a header-object lookup per name cost a
        # tenth of a token check's request time.
        raw = [
            (name, value)
            for name, value in message.get("headers", ())
            if name.lower() != _REQUEST_ID_RAW
        ]
        present = {name.lower() for name, _ in raw}
        raw.extend(header for header in _SECURITY_RAW if header[0] not in present)
        if _CSP_RAW[0] not in present:
            raw.append(_PAGE_CSP_RAW if _is_docs_page(scope.get("path", "")) else _CSP_RAW)
        raw.append((_REQUEST_ID_RAW, request_id_of(scope).encode("latin-1")))
        message["headers"] = raw
        if scope.get("method") == "OPTIONS":
            _answer_refused_preflight_in_json(scope, message)
    elif message["type"] == "http.response.body" and scope.get("state", {}).get(_REFUSED_PREFLIGHT):
        message["body"] = _REFUSED_PREFLIGHT_BODY


def _answer_refused_preflight_in_json(scope: Scope, message: Message) -> None:
    headers = MutableScopeHeaders.from_message(message)
    if _is_refused_preflight(scope, message, headers):
        # Litestar answers a refused preflight in plain text; every error of ours is JSON.
        scope.setdefault("state", {})[_REFUSED_PREFLIGHT] = True
        headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(_REFUSED_PREFLIGHT_BODY))


def _is_docs_page(path: str) -> bool:
    # The interactive docs load Swagger UI's scripts and styles from this origin; the documents
    # themselves are data.
    if path == DOCS_PATH:
        return True
    return path.startswith(DOCS_PATH + "/") and not path.endswith(_DOCUMENT_SUFFIXES)


def _is_refused_preflight(scope: Scope, message: Message, headers: MutableScopeHeaders) -> bool:
    return (
        message.get("status") == 400
        and headers.get("Content-Type", "").startswith("text/plain")
        and any(name.lower() == b"access-control-request-method" for name, _ in scope["headers"])
    )
