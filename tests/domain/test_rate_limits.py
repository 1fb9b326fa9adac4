"""Fixed-window rate limits over the counter port: the allowance, refusals, refunds, fail-open."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RateLimited
from domain.protection.rate_limits import WINDOW_S, Limit, RateLimiter, Reservation
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_rate_limit_counters import FakeRateLimitCounters
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents

START = 1_800_000_000 - 1_800_000_000 % 60  # the first second of a window
LOGIN = Limit("login", 3)


def limiter(
    clock: FakeClock | None = None, window_s: int = WINDOW_S
) -> tuple[RateLimiter, FakeRateLimitCounters, FakeRateLimitEvents]:
    counters, events = FakeRateLimitCounters(), FakeRateLimitEvents()
    return RateLimiter(counters, clock or FakeClock(START), events, window_s), counters, events


def test_the_window_is_a_minute() -> None:
    assert WINDOW_S == 60
    assert RateLimiter(FakeRateLimitCounters(), FakeClock(), FakeRateLimitEvents()).window_s == 60


@given(per_window=st.integers(1, 20), offset=st.integers(0, 59))
async def test_the_allowance_passes_and_the_next_hit_is_refused(
    per_window: int, offset: int
) -> None:
    rate_limiter, counters, events = limiter(FakeClock(START + offset))
    limit = Limit("register", per_window)
    for _ in range(per_window):
        await rate_limiter.hit(limit, "198.51.100.1")
    with pytest.raises(RateLimited) as refused:
        await rate_limiter.hit(limit, "198.51.100.1")
    assert (refused.value.limit, refused.value.retry_after_s) == ("register", 60 - offset)
    assert str(refused.value) == "rate limit register reached"
    assert events.refusals == [("register", True)]
    # A plain hit keeps the refused one counted: a flood stays refused.
    assert counters.counts == {("register:198.51.100.1", START): per_window + 1}


async def test_a_flood_reports_each_refusal_and_only_the_first_as_first() -> None:
    rate_limiter, _, events = limiter()
    for _ in range(3):
        await rate_limiter.hit(LOGIN, "a")
    for _ in range(3):
        with pytest.raises(RateLimited):
            await rate_limiter.hit(LOGIN, "a")
    assert events.refusals == [("login", True), ("login", False), ("login", False)]


async def test_subjects_and_limits_count_apart() -> None:
    rate_limiter, counters, _ = limiter()
    await rate_limiter.hit(LOGIN, "a")
    await rate_limiter.hit(LOGIN, "b")
    await rate_limiter.hit(Limit("refresh", 3), "a")
    assert counters.counts == {
        ("login:a", START): 1,
        ("login:b", START): 1,
        ("refresh:a", START): 1,
    }


async def test_a_reservation_names_its_key_and_instant() -> None:
    clock = FakeClock(START + 7)
    rate_limiter, _, _ = limiter(clock)
    assert await rate_limiter.reserve(LOGIN, "a") == Reservation("login:a", START + 7)


async def test_a_refused_reservation_is_taken_back() -> None:
    rate_limiter, counters, events = limiter()
    for _ in range(3):
        await rate_limiter.reserve(LOGIN, "a")
    with pytest.raises(RateLimited):
        await rate_limiter.reserve(LOGIN, "a")
    with pytest.raises(RateLimited):
        await rate_limiter.reserve(LOGIN, "a")
    assert counters.counts == {("login:a", START): 3}
    # Each refusal was the first beyond the allowance: the count went back each time.
    assert events.refusals == [("login", True), ("login", True)]


async def test_a_refund_gives_the_hit_back_in_its_own_window() -> None:
    clock = FakeClock(START + 59)
    rate_limiter, counters, _ = limiter(clock)
    reservation = await rate_limiter.reserve(LOGIN, "a")
    await rate_limiter.hit(LOGIN, "a")
    clock.advance(2)
    await rate_limiter.hit(LOGIN, "a")
    await rate_limiter.refund(reservation)
    assert counters.counts == {("login:a", START): 1, ("login:a", START + 60): 1}


async def test_other_window_sizes_count_and_retry_by_their_own_window() -> None:
    rate_limiter, counters, _ = limiter(FakeClock(START + 10), window_s=30)
    for _ in range(3):
        await rate_limiter.hit(LOGIN, "a")
    with pytest.raises(RateLimited) as refused:
        await rate_limiter.hit(LOGIN, "a")
    assert refused.value.retry_after_s == 20
    reservation = Reservation("login:a", START + 10)
    await rate_limiter.refund(reservation)
    assert counters.counts == {("login:a", START): 3}


async def test_refunding_nothing_does_nothing() -> None:
    rate_limiter, counters, events = limiter()
    counters.down = True
    await rate_limiter.refund(None)
    assert events.failures == []


async def test_a_store_that_cannot_count_lets_the_request_through_and_says_so() -> None:
    rate_limiter, counters, events = limiter()
    counters.down = True
    for _ in range(5):
        assert await rate_limiter.reserve(LOGIN, "a") is None
        await rate_limiter.hit(LOGIN, "a")
    await rate_limiter.refund(Reservation("login:a", START))
    assert len(events.failures) == 11
    assert all(isinstance(error, ConnectionError) for error in events.failures)
    assert events.refusals == []
