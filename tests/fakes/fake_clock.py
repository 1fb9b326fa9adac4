"""A clock that only moves when a test moves it."""

START = 1_800_000_000


class FakeClock:
    """Starts at a fixed instant; `advance` moves it forward."""

    def __init__(self, now: int = START) -> None:
        self._now = now

    def now(self) -> int:
        return self._now

    def advance(self, seconds: int) -> None:
        self._now += seconds

    def set(self, now: int) -> None:
        self._now = now
