"""The request id: the caller's `X-Request-ID` when it is well-formed, else a fresh one.

A fresh id is this process's prefix and a counter, 32 hex digits like a UUID's: it only has to
be unique among the lines of the logs, not unguessable, so no randomness is drawn per request.
"""

from __future__ import annotations

import itertools
import os
import re
import time

from litestar.types import Scope

REQUEST_ID_HEADER = "X-Request-ID"
# Strict, so that a caller cannot put log-injection or secret-sized text into every log line.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STATE_KEY = "connect_backend.request_id"


class _Ids:
    """`<16 hex digits of this process><16 hex digits of a counter>`; the prefix is taken anew
    in a forked child, so workers never share it."""

    def __init__(self) -> None:
        self._pid = -1
        self._prefix = ""
        self._counter = itertools.count()

    def next(self) -> str:
        pid = os.getpid()
        if pid != self._pid:
            # The pid and the start time tell this process from every other one of the host.
            self._pid, self._counter = pid, itertools.count()
            self._prefix = f"{pid & 0xFFFFFF:06x}{time.time_ns() & 0xFFFFFFFFFF:010x}"
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFFFFFF:016x}"


_ids = _Ids()


def request_id_of(scope: Scope) -> str:
    """This request's id, decided once and kept in the scope's state."""
    state = scope.setdefault("state", {})
    known = state.get(_STATE_KEY)
    if isinstance(known, str):
        return known
    chosen = _offered(scope) or _ids.next()
    state[_STATE_KEY] = chosen
    return chosen


def _offered(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTED.fullmatch(text) else None
    return None
