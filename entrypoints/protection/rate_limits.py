"""Rate limiting: fixed-window counters behind a small port, and the rules that read them.

Limits are transport policy (which client, how often, answered with 429), not a domain rule:
no use case needs them, so the port lives here, beside the HTTP layer that enforces it.
Adapters implement it structurally (`adapters/memory_rate_limits.py`, `redis_rate_limits.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from domain.ports import Clock
from entrypoints.metrics import Metrics

WINDOW_S = 60

_log = logging.getLogger("connect_backend.rate_limits")


class RateLimitCounters(Protocol):
    """Hit counters per key in fixed windows aligned to multiples of `window_s`."""

    async def hit(self, key: str, window_s: int, now: int) -> int:
        """Count one hit on `key` in the window holding `now`; the window's count including it.

        Raises `ConnectionError` when the shared store cannot count.
        """
        ...

    async def refund(self, key: str, window_s: int, now: int) -> None:
        """Take back one hit on `key` in the window holding `now`; nothing once that window is
        over or when it has no hits. Raises `ConnectionError` when the shared store cannot."""
        ...


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `per_window` hits per subject (a client, an account) in each window."""

    name: str
    per_window: int


class RateLimited(Exception):
    """A limit is reached; the client may try again in `retry_after_s` seconds."""

    def __init__(self, limit: str, retry_after_s: int) -> None:
        super().__init__(f"rate limit {limit} reached")
        self.limit = limit
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Reservation:
    """A counted hit that may be given back (`RateLimiter.refund`) in its own window."""

    key: str
    at: int


class RateLimiter:
    """Checks limits against shared counters on the injected clock."""

    def __init__(
        self, counters: RateLimitCounters, clock: Clock, metrics: Metrics, window_s: int = WINDOW_S
    ) -> None:
        self._counters = counters
        self._clock = clock
        self._metrics = metrics
        self._window_s = window_s

    async def hit(self, limit: Limit, subject: str) -> None:
        """Count a request of `subject` against `limit`; raise `RateLimited` beyond it."""
        await self.reserve(limit, subject, keep_when_refused=True)

    async def reserve(
        self, limit: Limit, subject: str, *, keep_when_refused: bool = False
    ) -> Reservation | None:
        """Count a request of `subject` against `limit` before doing what it asks.

        Beyond the limit, raise `RateLimited`, taking the hit back unless `keep_when_refused`
        (a refused attempt did nothing that should count). The reservation can be refunded
        later; None when the counter store failed and nothing was counted (fail open).
        """
        now = self._clock.now()
        key = f"{limit.name}:{subject}"
        try:
            count = await self._counters.hit(key, self._window_s, now)
        except ConnectionError as exc:
            self._store_failed(exc)
            return None
        if count <= limit.per_window:
            return Reservation(key, now)
        if not keep_when_refused:
            await self.refund(Reservation(key, now))
        self._metrics.rate_limited.labels(limit.name).inc()
        if count == limit.per_window + 1:
            # Once per window and subject, so that a flood does not flood the log as well.
            _log.warning("rate limit reached", extra={"limit": limit.name})
        raise RateLimited(limit.name, self._window_s - now % self._window_s)

    async def refund(self, reservation: Reservation | None) -> None:
        """Give a reserved hit back (in the window it was counted in)."""
        if reservation is None:
            return
        try:
            await self._counters.refund(reservation.key, self._window_s, reservation.at)
        except ConnectionError as exc:
            self._store_failed(exc)

    def _store_failed(self, exc: ConnectionError) -> None:
        # Fail open: an outage of the counter store must not lock every user out. /readyz
        # reports the store, and the metric says how many requests went uncounted.
        self._metrics.rate_limit_store_failures.inc()
        _log.error("rate limit store unavailable, request not counted: %s", exc)
