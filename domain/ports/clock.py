from typing import Protocol


class Clock(Protocol):
    """The current time, injected so that every time rule can be tested."""

    def now(self) -> int:
        """Seconds since the Unix epoch."""
        ...
