"""The Clock port: whole Unix seconds that never run backwards."""

import time

import pytest

from adapters.system_clock import SystemClock
from domain.ports import Clock
from tests.fakes.fake_clock import FakeClock


@pytest.fixture(params=["fake", "system"])
def clock(request: pytest.FixtureRequest) -> Clock:
    return FakeClock(int(time.time())) if request.param == "fake" else SystemClock()


def test_now_is_whole_seconds_near_the_epoch_time(clock: Clock) -> None:
    now = clock.now()
    assert type(now) is int
    assert abs(now - time.time()) < 5


def test_now_does_not_run_backwards(clock: Clock) -> None:
    first = clock.now()
    assert clock.now() >= first


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(100)
    assert clock.now() == 100
    clock.advance(5)
    assert clock.now() == 105
