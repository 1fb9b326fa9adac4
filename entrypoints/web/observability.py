"""Per request: the request id and client in the log context (with the trace id when traced),
a deadline, metrics and one access-log line.

One plain ASGI wrapper around the whole app (`observe`), inside the server span when traced and
outside Litestar's exception handling, so it sees the final status of every answer, errors
included. Routed requests are counted and logged; unrouted 404/405 answers and CORS preflights
only get the browser headers of `app.py`, as before routing there is no route to name.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bind_contextvars, reset_contextvars

from adapters.observability.protocols import Incidents, Metrics, RequestTracing
from domain.protection.client_addresses import Client, TrustedProxies

_log = logging.getLogger("connect_backend.access")


UNMATCHED_ROUTE = "unmatched"
# Probes and scrapes arrive every few seconds: counted, but not written to the log.
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
LOGIN_METHODS = {"/auth/login": "password", "/auth/completeLogin": "passkey"}


class RequestTimedOut(Exception):
    """A handler outlived `REQUEST_TIMEOUT_S` and was cancelled."""


class RequestObservability:
    """The ASGI wrapper; `observe` puts it around an app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        addresses: ClientAddresses,
        metrics: Metrics,
        timeout_s: float,
        timeouts: Incidents,
        tracing: RequestTracing | None = None,
    ) -> None:
        self._app = app
        # Under overload every request may meet its deadline: one log line per incident.
        self._timeouts = timeouts
        self._addresses = addresses
        self._metrics = metrics
        self._timeout_s = timeout_s
        self._tracing = tracing
        # The time-out's answer, rendered by the error table like any other refusal.
        self._timed_out = wrap_in_exception_handler(_raise_timed_out)
        # prometheus_client looks a child up by its labels on every call; the routes, methods
        # and statuses an app answers are few, so each child is kept once found.
        self._children: dict[tuple[str, ...], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        exchange = _Exchange(scope, scope["method"], send)
        context: dict[str, object] = {
            "request_id": request_id_of(scope),
            "client_ip": self._addresses.of(scope),
        }
        tracing = self._tracing
        if tracing is not None:
            context["trace_id"] = tracing.current_trace_id()
            # The server span ends with the response's last byte: name it as the answer starts.
            exchange.on_answer = lambda: tracing.name_current_span(exchange.method, _route(scope))
        bound = bind_contextvars(**context)
        try:
            async with asyncio.timeout(self._timeout_s) as deadline:
                await self._app(scope, receive, exchange.send)
            if self._timeouts.failing:
                self._timeouts.answered()
        except TimeoutError:
            if not deadline.expired():
                raise
            self._timeouts.failed(RequestTimedOut(f"cancelled after {self._timeout_s} s"))
            exchange.status = 503
            if exchange.answered:
                raise RequestTimedOut from None
            await self._timed_out(scope, receive, exchange.send)
        finally:
            try:
                self._finish(exchange)
            finally:
                reset_contextvars(**bound)

    def _finish(self, exchange: _Exchange) -> None:
        route = _route(exchange.scope)
        if route is UNMATCHED_ROUTE:
            return
        method = exchange.method
        status = exchange.status
        elapsed = exchange.elapsed_s()
        children = self._children
        key = (method, route, str(status))
        counted = children.get(key)
        if counted is None:
            counted = children[key] = self._metrics.http_requests.labels(*key)
            children[key[:2]] = self._metrics.http_request_duration.labels(*key[:2])
            login_method = LOGIN_METHODS.get(route)
            if login_method is not None:
                outcome = ("login", *key)
                children[outcome] = self._metrics.logins.labels(login_method, login_outcome(status))
        counted.inc()
        children[key[:2]].observe(elapsed)
        login = children.get(("login", *key))
        if login is not None:
            login.inc()
        if route not in QUIET_ROUTES:
            _log.info(
                "%s %s %d",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )


def login_outcome(status: int) -> str:
    """`success`, `failure` (refused credentials), `rate_limited`, `invalid_request`, `error`."""
    if 200 <= status < 300:
        return "success"
    if status == 401:
        return "failure"
    if status == 429:
        return "rate_limited"
    if 400 <= status < 500:
        return "invalid_request"
    return "error"


def observe(app: Litestar, wrapper: Callable[[ASGIApp], ASGIApp]) -> None:
    """Put `wrapper` around everything `app` does with a request (its CORS, its exception
    handling, its routes): Litestar calls `app.asgi_handler` inside its `before_send` hooks."""
    app.asgi_handler = wrapper(app.asgi_handler)


async def _raise_timed_out(scope: Scope, receive: Receive, send: Send) -> None:
    raise RequestTimedOut


def _route(scope: Scope) -> str:
    template = scope.get("path_template")
    return template if isinstance(template, str) and template else UNMATCHED_ROUTE


class _Exchange:
    """What one request's response looked like, as seen through `send`."""

    def __init__(self, scope: Scope, method: str, send: Send) -> None:
        self.scope = scope
        self.method = method
        self.status = 500
        self._send = send
        self._started = time.perf_counter()
        self._answered: float | None = None
        self.on_answer: Callable[[], None] | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self._answered = time.perf_counter()
            if self.on_answer is not None:
                self.on_answer()
        await self._send(message)

    @property
    def answered(self) -> bool:
        return self._answered is not None

    def elapsed_s(self) -> float:
        return (self._answered or time.perf_counter()) - self._started


# The request id: the caller's `X-Request-ID` when it is well-formed, else a fresh one. A fresh
# id is this process's prefix and a counter, 32 hex digits like a UUID's: it only has to be
# unique among the lines of the logs, not unguessable, so no randomness is drawn per request.
REQUEST_ID_HEADER = "X-Request-ID"
# Strict, so that a caller cannot put log-injection or secret-sized text into every log line.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")
_REQUEST_ID_KEY = "connect_backend.request_id"


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
    known = state.get(_REQUEST_ID_KEY)
    if isinstance(known, str):
        return known
    chosen = _offered(scope) or _ids.next()
    state[_REQUEST_ID_KEY] = chosen
    return chosen


def _offered(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTED.fullmatch(text) else None
    return None


# The client of a request: `domain.protection.client_addresses` over its peer and its
# `X-Forwarded-For` hops, resolved once and kept in the request's scope.
_CLIENT_KEY = "connect_backend.client"


class ClientAddresses:
    """Resolves a request's client once per request: its address (logs) and subject (limits)."""

    def __init__(self, proxies: TrustedProxies) -> None:
        self._proxies = proxies

    def client(self, scope: Scope) -> Client:
        """The request's client, resolved on first use and kept in the scope's state."""
        state = scope.setdefault("state", {})
        known = state.get(_CLIENT_KEY)
        if isinstance(known, Client):
            return known
        peer = scope.get("client")
        resolved = self._proxies.resolve(peer[0] if peer else "unknown", _forwarded_for(scope))
        state[_CLIENT_KEY] = resolved
        return resolved

    def of(self, scope: Scope) -> str:
        """The client's address as text (the peer's raw name when it is not an IP address)."""
        return self.client(scope).address

    def subject(self, scope: Scope) -> str:
        """What rate limits count: the address, or its /64 network for IPv6."""
        return self.client(scope).subject


def resolved_client(scope: Scope) -> Client:
    """The client a `ClientAddresses` resolved for this request (the observability step does,
    before anything else runs); `LookupError` when none has."""
    known = scope.get("state", {}).get(_CLIENT_KEY)
    if not isinstance(known, Client):
        raise LookupError("the request's client was not resolved")
    return known


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return hops
