from typing import Protocol


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


class RateLimitEvents(Protocol):
    """Where the rate limiter reports what operators must see (metrics and logs)."""

    def refused(self, limit: str, *, first_in_window: bool) -> None:
        """A request over `limit` was refused; `first_in_window` for the first refusal of its
        subject in the window (so that a flood is logged once, and counted every time)."""
        ...

    def uncounted(self, error: ConnectionError) -> None:
        """The counter store failed, so a request went through uncounted (fail open)."""
        ...
