"""Fixed-window rate limits: how many hits a subject (a client, an account) may make per window.

The counting is a port (`RateLimitCounters`: in memory, or in Redis with this process's memory
taking over while Redis fails, decision 0020). A store that cannot count at all fails open: an
outage of the counter store must not lock every user out; /readyz reports the store, and
`RateLimitEvents` says how many requests went uncounted.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import RateLimited
from domain.ports import Clock, RateLimitCounters, RateLimitEvents

WINDOW_S = 60


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `per_window` hits per subject in each window; `name` labels metrics and keys."""

    name: str
    per_window: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """A counted hit that may be given back (`RateLimiter.refund`) in its own window."""

    key: str
    at: int


@dataclass(frozen=True, slots=True)
class RateLimiter:
    """Checks limits against shared counters on the injected clock."""

    counters: RateLimitCounters
    clock: Clock
    events: RateLimitEvents
    window_s: int = WINDOW_S

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
        now = self.clock.now()
        key = f"{limit.name}:{subject}"
        try:
            count = await self.counters.hit(key, self.window_s, now)
        except ConnectionError as exc:
            self.events.uncounted(exc)
            return None
        if count <= limit.per_window:
            return Reservation(key, now)
        if not keep_when_refused:
            await self.refund(Reservation(key, now))
        self.events.refused(limit.name, first_in_window=count == limit.per_window + 1)
        raise RateLimited(limit.name, self.window_s - now % self.window_s)

    async def refund(self, reservation: Reservation | None) -> None:
        """Give a reserved hit back (in the window it was counted in)."""
        if reservation is None:
            return
        try:
            await self.counters.refund(reservation.key, self.window_s, reservation.at)
        except ConnectionError as exc:
            self.events.uncounted(exc)
