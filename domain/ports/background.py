from collections.abc import Awaitable, Callable
from typing import Protocol


class BackgroundWork(Protocol):
    """Work that runs after the request that asked for it has been answered."""

    def start(self, work: Callable[[], Awaitable[None]], name: str) -> None:
        """Run `work` soon, apart from the caller; its failure is reported under `name`, never
        raised here."""
        ...
