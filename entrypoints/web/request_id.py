"""The request id: the caller's `X-Request-ID` when it is well-formed, else a fresh one."""

from __future__ import annotations

import re
import uuid

from litestar.types import Scope

REQUEST_ID_HEADER = "X-Request-ID"
# Strict, so that a caller cannot put log-injection or secret-sized text into every log line.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STATE_KEY = "connect_backend.request_id"


def request_id_of(scope: Scope) -> str:
    """This request's id, decided once and kept in the scope's state."""
    state = scope.setdefault("state", {})
    known = state.get(_STATE_KEY)
    if isinstance(known, str):
        return known
    chosen = _offered(scope) or uuid.uuid4().hex
    state[_STATE_KEY] = chosen
    return chosen


def _offered(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTED.fullmatch(text) else None
    return None
