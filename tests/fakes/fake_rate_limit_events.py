"""RateLimitEvents that keeps what it was told."""


class FakeRateLimitEvents:
    """`refusals` lists (limit, first_in_window); `failures` the store errors."""

    def __init__(self) -> None:
        self.refusals: list[tuple[str, bool]] = []
        self.failures: list[ConnectionError] = []

    def refused(self, limit: str, *, first_in_window: bool) -> None:
        self.refusals.append((limit, first_in_window))

    def uncounted(self, error: ConnectionError) -> None:
        self.failures.append(error)
