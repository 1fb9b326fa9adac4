"""Interim audit events, read off the answers of the security-relevant routes.

Until the use cases record their own events through the `AuditLog` port, this derives them at
the web layer from what it can see: the route, the status, the `error` code of a refusal, the
claims of the access token we just issued (login) or that was presented (logout), and the user
id of a registration. It never records a token, only ids read from one. Once the use cases call
`AuditLog`, delete this module and its wiring in `operations.py`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from litestar.types import Scope

from domain.ports import AuditLog
from domain.ports.audit import AuditAction, AuditEvent

_LOGIN_METHODS = {"/auth/login": "password", "/auth/completeLogin": "passkey"}
CAPTURED_ROUTES = frozenset({*_LOGIN_METHODS, "/auth/register", "/auth/refresh"})
LOGOUT_ROUTE = "/auth/logout"


class WebAuditTrail:
    """Turns one finished request into at most one `AuditEvent`."""

    def __init__(self, audit_log: Callable[[], AuditLog]) -> None:
        self._audit_log = audit_log

    @staticmethod
    def wants_body(route: str) -> bool:
        """Whether the response body of `route` is needed (it is small JSON)."""
        return route in CAPTURED_ROUTES

    async def after(self, scope: Scope, route: str, status: int, body: bytes) -> None:
        """Record what the finished request `route` -> `status` says happened."""
        event = _event_for(scope, route, status, body)
        if event is not None:
            await self._audit_log().record(event)


def _event_for(scope: Scope, route: str, status: int, body: bytes) -> AuditEvent | None:
    method = _LOGIN_METHODS.get(route)
    if method is not None and status == 200:
        claims = _claims(_json(body).get("accessToken"))
        return AuditEvent(
            AuditAction.LOGIN_SUCCEEDED,
            user_id=_text(claims.get("sub")),
            session_id=_text(claims.get("sid")),
            method=method,
        )
    if method is not None and status == 401:
        reason = _text(_json(body).get("error"))
        return AuditEvent(AuditAction.LOGIN_FAILED, method=method, reason=reason)
    if route == "/auth/register" and status == 201:
        return AuditEvent(AuditAction.USER_REGISTERED, user_id=_text(_json(body).get("userId")))
    reused = _json(body).get("error") == "refresh_token_reused"
    if route == "/auth/refresh" and status == 401 and reused:
        return AuditEvent(AuditAction.REFRESH_TOKEN_REUSED, reason="refresh_token_reused")
    if route == LOGOUT_ROUTE and 200 <= status < 300:
        claims = _claims(_bearer(scope))
        return AuditEvent(
            AuditAction.SESSION_ENDED,
            user_id=_text(claims.get("sub")),
            session_id=_text(claims.get("sid")),
            reason="logout",
        )
    return None


def _json(body: bytes) -> Mapping[str, Any]:
    try:
        decoded = json.loads(body)
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _claims(token: object) -> Mapping[str, Any]:
    """The payload of a JWT we issued or that passed authentication; its signature was checked."""
    if not isinstance(token, str) or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        return _json(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return {}


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
