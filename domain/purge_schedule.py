"""When `serve` purges: about every interval, jittered, until told to stop.

Every worker of every instance runs its own schedule; that is safe because a purge takes
disjoint batches and each row goes once. The jitter keeps workers started together from purging
together.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# Each wait is the interval times a factor drawn uniformly from this range.
JITTER = (0.5, 1.5)


@dataclass(frozen=True, slots=True)
class PurgeSchedule:
    """A round about every `interval_s` seconds; `draw(low, high)` picks the jitter factor."""

    interval_s: float
    draw: Callable[[float, float], float] = random.uniform

    def __post_init__(self) -> None:
        if self.interval_s <= 0:
            raise ValueError("interval_s must be positive; leave the purge out to turn it off")

    def next_delay(self) -> float:
        """Seconds until the next round: the interval, jittered."""
        return self.interval_s * self.draw(*JITTER)

    async def run(
        self,
        purge_round: Callable[[], Awaitable[object]],
        stopped_within: Callable[[float], Awaitable[bool]],
    ) -> None:
        """Wait, run a round, and again, until `stopped_within(delay)` says the stop came during
        a wait; the first round comes after a wait."""
        while not await stopped_within(self.next_delay()):
            await purge_round()
