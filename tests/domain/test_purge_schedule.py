"""When `serve` purges: the jittered interval, and the loop's stop (driven without sleeping)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.purge_schedule import JITTER, PurgeSchedule


class Stops:
    """`stopped_within` that lets `rounds` waits pass, then reports the stop."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> bool:
        self.delays.append(seconds)
        return len(self.delays) > self.rounds


def test_the_jitter_spans_half_to_one_and_a_half_intervals() -> None:
    assert JITTER == (0.5, 1.5)
    drawn: list[tuple[float, float]] = []

    def draw(low: float, high: float) -> float:
        drawn.append((low, high))
        return high

    assert PurgeSchedule(600, draw).next_delay() == 900
    assert drawn == [(0.5, 1.5)]


@given(st.floats(min_value=0.001, max_value=1e6))
def test_the_default_draw_stays_within_the_jitter(interval_s: float) -> None:
    delay = PurgeSchedule(interval_s).next_delay()
    assert interval_s * 0.5 <= delay <= interval_s * 1.5


@pytest.mark.parametrize("interval_s", [0, -1, -0.001])
def test_an_interval_that_is_not_positive_is_not_a_schedule(interval_s: float) -> None:
    with pytest.raises(ValueError, match="interval_s"):
        PurgeSchedule(interval_s)


async def test_each_round_comes_after_a_wait_until_the_stop() -> None:
    rounds: list[int] = []

    async def purge_round() -> None:
        rounds.append(1)

    stops = Stops(rounds=3)
    await PurgeSchedule(0.5, lambda low, high: low).run(purge_round, stops)

    assert len(rounds) == 3
    assert stops.delays == [0.25] * 4


async def test_a_stop_during_the_first_wait_means_no_round() -> None:
    rounds: list[int] = []

    async def purge_round() -> None:
        rounds.append(1)

    await PurgeSchedule(60).run(purge_round, Stops(rounds=0))

    assert rounds == []
