"""A BackgroundWork that runs nothing until the test says so."""

from collections.abc import Awaitable, Callable


class FakeBackgroundWork:
    """Keeps started work in `pending`; `run_all` runs it, in order, as the background would."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, Callable[[], Awaitable[None]]]] = []

    def start(self, work: Callable[[], Awaitable[None]], name: str) -> None:
        self.pending.append((name, work))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.pending]

    async def run_all(self) -> None:
        """Run every pending piece of work (and what it starts), oldest first."""
        while self.pending:
            _, work = self.pending.pop(0)
            await work()
