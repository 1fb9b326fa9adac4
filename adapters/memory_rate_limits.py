"""Rate-limit counters in this process's memory: exact for a single worker, per worker otherwise."""

import heapq


class InMemoryRateLimitCounters:
    """Fixed-window counters; a window's counter is dropped once the window is over."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._expiries: list[tuple[int, str, int]] = []

    async def hit(self, key: str, window_s: int, now: int) -> int:
        self._prune(now)
        window_start = now - now % window_s
        slot = (key, window_start)
        count = self._counts.get(slot, 0) + 1
        if count == 1:
            heapq.heappush(self._expiries, (window_start + window_s, key, window_start))
        self._counts[slot] = count
        return count

    async def refund(self, key: str, window_s: int, now: int) -> None:
        self._prune(now)
        slot = (key, now - now % window_s)
        count = self._counts.get(slot, 0)
        if count > 0:
            # A slot at zero stays until its window ends: its expiry entry is still queued.
            self._counts[slot] = count - 1

    def _prune(self, now: int) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            _, key, window_start = heapq.heappop(self._expiries)
            self._counts.pop((key, window_start), None)
