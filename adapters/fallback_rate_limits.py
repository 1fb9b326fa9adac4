"""Rate-limit counters that keep counting while the shared store fails: in this process's memory.

Decision 0020: a Redis that is down, timing out or out of pooled connections must neither lock
every client out nor let every request through uncounted. While it fails, each process counts
on its own, so a limit holds per worker (N workers and replicas allow up to N times it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from domain.ports import RateLimitCounters

# After a failure the shared store is left alone this long: the requests meanwhile go straight
# to memory instead of each waiting for a pooled connection or a timeout. Then one call tries it
# again while the others still count in memory, until that one is answered.
RETRY_SHARED_AFTER_S = 1.0


class SharedStoreEvents(Protocol):
    """What operators must see of the shared store's health (`MeteredRateLimitEvents`)."""

    def store_failed(self, error: ConnectionError) -> None:
        """A call to the shared store failed."""
        ...

    def store_answered(self) -> None:
        """A call to the shared store succeeded."""
        ...

    def counted_locally(self) -> None:
        """A hit was counted in this process's memory because the shared store failed."""
        ...


class FallbackRateLimitCounters:
    """`shared` (Redis) while it answers; `local` (this process's memory) while it fails.

    A hit is always counted somewhere: `ConnectionError` only if `local` raises it too. Hits
    counted in memory stay there: a window that spans a switch may allow its limit in each store.
    A refund goes to the store that hits go to now. Every failure, success and hit counted in
    memory is reported to `events`.
    """

    def __init__(
        self,
        shared: RateLimitCounters,
        local: RateLimitCounters,
        *,
        events: SharedStoreEvents,
        timer: Callable[[], float],
        retry_after_s: float = RETRY_SHARED_AFTER_S,
    ) -> None:
        self._shared = shared
        self._local = local
        self._events = events
        self._timer = timer
        self._retry_after_s = retry_after_s
        self._failing = False
        self._shared_again_at = 0.0

    async def hit(self, key: str, window_s: int, now: int) -> int:
        if self._shared_turn():
            try:
                count = await self._shared.hit(key, window_s, now)
            except ConnectionError as error:
                self._shared_failed(error)
            else:
                self._shared_answered()
                return count
        self._events.counted_locally()
        return await self._local.hit(key, window_s, now)

    async def refund(self, key: str, window_s: int, now: int) -> None:
        if self._shared_turn():
            try:
                await self._shared.refund(key, window_s, now)
            except ConnectionError as error:
                self._shared_failed(error)
            else:
                self._shared_answered()
                return
        await self._local.refund(key, window_s, now)

    def _shared_turn(self) -> bool:
        """Whether this call goes to the shared store: always while it answers; after a failure,
        one call once the rest is over, the others still in memory until that one is answered."""
        if not self._failing:
            return True
        now = self._timer()
        if now < self._shared_again_at:
            return False
        self._shared_again_at = now + self._retry_after_s
        return True

    def _shared_answered(self) -> None:
        self._failing = False
        self._events.store_answered()

    def _shared_failed(self, error: ConnectionError) -> None:
        self._failing = True
        self._shared_again_at = self._timer() + self._retry_after_s
        self._events.store_failed(error)
