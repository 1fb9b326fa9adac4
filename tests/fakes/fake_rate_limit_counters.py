"""RateLimitCounters in a dict, that can be told the store is down."""


class FakeRateLimitCounters:
    """Fixed-window counts per (key, window start); `down` makes every call fail."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}
        self.down = False

    async def hit(self, key: str, window_s: int, now: int) -> int:
        self._check()
        slot = (key, now - now % window_s)
        self.counts[slot] = self.counts.get(slot, 0) + 1
        return self.counts[slot]

    async def refund(self, key: str, window_s: int, now: int) -> None:
        self._check()
        slot = (key, now - now % window_s)
        if self.counts.get(slot, 0) > 0:
            self.counts[slot] -= 1

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("the fake store is down")
