"""RateLimitEvents that keeps what it was told, and the shared store's health events too."""


class FakeRateLimitEvents:
    """`refusals` lists (limit, first_in_window); `failures` the store errors of uncounted
    requests; `store_events` what `FallbackRateLimitCounters` reported, in order."""

    def __init__(self) -> None:
        self.refusals: list[tuple[str, bool]] = []
        self.failures: list[ConnectionError] = []
        self.store_events: list[str] = []

    def refused(self, limit: str, *, first_in_window: bool) -> None:
        self.refusals.append((limit, first_in_window))

    def uncounted(self, error: ConnectionError) -> None:
        self.failures.append(error)

    def store_failed(self, error: ConnectionError) -> None:
        self.store_events.append(f"failed: {error}")

    def store_answered(self) -> None:
        self.store_events.append("answered")

    def counted_locally(self) -> None:
        self.store_events.append("counted locally")
