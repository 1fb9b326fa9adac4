"""Rate-limit counters in the shared store while it answers, in this process's memory while not."""

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from adapters.fallback_rate_limits import RETRY_SHARED_AFTER_S, FallbackRateLimitCounters
from adapters.memory_rate_limits import InMemoryRateLimitCounters
from tests.fakes.fake_rate_limit_counters import FakeRateLimitCounters
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents

WINDOW = 60
START = 1_800_000_000 - 1_800_000_000 % WINDOW


class Timer:
    """Monotonic seconds that move only when the test moves them."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Setup:
    def __init__(self) -> None:
        self.shared = FakeRateLimitCounters()
        self.local = FakeRateLimitCounters()
        self.events = FakeRateLimitEvents()
        self.timer = Timer()
        self.counters = FallbackRateLimitCounters(
            self.shared, self.local, events=self.events, timer=self.timer
        )


async def test_while_the_shared_store_answers_it_counts_alone() -> None:
    setup = Setup()
    assert [await setup.counters.hit("k", WINDOW, START) for _ in range(3)] == [1, 2, 3]
    await setup.counters.refund("k", WINDOW, START)
    assert setup.shared.counts == {("k", START): 2}
    assert setup.local.counts == {}
    assert setup.events.store_events == ["answered"] * 4


async def test_while_the_shared_store_fails_this_process_counts() -> None:
    setup = Setup()
    await setup.counters.hit("k", WINDOW, START)
    setup.shared.down = True
    assert [await setup.counters.hit("k", WINDOW, START) for _ in range(3)] == [1, 2, 3]
    assert setup.local.counts == {("k", START): 3}
    assert setup.events.store_events == [
        "answered",
        "failed: the fake store is down",
        "counted locally",
        "counted locally",
        "counted locally",
    ]


async def test_after_a_failure_the_shared_store_rests_before_it_is_tried_again() -> None:
    # Requests meanwhile do not each wait for a pooled connection or a timeout.
    setup = Setup()
    setup.shared.down = True
    await setup.counters.hit("k", WINDOW, START)
    setup.shared.down = False
    setup.timer.now += RETRY_SHARED_AFTER_S - 0.001
    assert await setup.counters.hit("k", WINDOW, START) == 2
    await setup.counters.refund("k", WINDOW, START)
    assert setup.shared.counts == {}
    assert setup.local.counts == {("k", START): 1}
    setup.timer.now += 0.001
    assert await setup.counters.hit("k", WINDOW, START) == 1
    assert setup.shared.counts == {("k", START): 1}
    assert setup.events.store_events[-1] == "answered"


class Gated(FakeRateLimitCounters):
    """A shared store whose answers wait until the test opens the gate; counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.calls = 0

    async def hit(self, key: str, window_s: int, now: int) -> int:
        self.calls += 1
        await self.gate.wait()
        return await super().hit(key, window_s, now)


async def test_after_the_rest_one_call_tries_the_store_while_the_others_count_in_memory() -> None:
    shared, local, events, timer = Gated(), FakeRateLimitCounters(), FakeRateLimitEvents(), Timer()
    counters = FallbackRateLimitCounters(shared, local, events=events, timer=timer)
    shared.down = True
    shared.gate.set()
    await counters.hit("k", WINDOW, START)
    shared.down = False
    shared.gate.clear()
    timer.now += RETRY_SHARED_AFTER_S
    probe = asyncio.create_task(counters.hit("k", WINDOW, START))
    await asyncio.sleep(0)
    assert shared.calls == 2
    # The probe is still waiting for its answer: the others do not queue behind it.
    assert [await counters.hit("k", WINDOW, START) for _ in range(3)] == [2, 3, 4]
    assert shared.calls == 2
    shared.gate.set()
    assert await probe == 1
    assert await counters.hit("k", WINDOW, START) == 2
    assert shared.calls == 3
    assert local.counts == {("k", START): 4}


async def test_a_refund_that_fails_goes_to_this_process_and_rests_the_store() -> None:
    setup = Setup()
    setup.shared.down = True
    await setup.counters.hit("k", WINDOW, START)
    setup.timer.now += RETRY_SHARED_AFTER_S
    await setup.counters.refund("k", WINDOW, START)
    assert setup.local.counts == {("k", START): 0}
    assert setup.events.store_events == [
        "failed: the fake store is down",
        "counted locally",
        "failed: the fake store is down",
    ]
    setup.shared.down = False
    assert await setup.counters.hit("k", WINDOW, START) == 1  # still resting: in memory
    assert setup.shared.counts == {}


async def test_the_real_in_memory_counters_take_over_from_a_dead_store() -> None:
    shared, events = FakeRateLimitCounters(), FakeRateLimitEvents()
    shared.down = True
    counters = FallbackRateLimitCounters(
        shared, InMemoryRateLimitCounters(), events=events, timer=Timer()
    )
    assert [await counters.hit("k", WINDOW, START) for _ in range(31)][-1] == 31


@given(
    steps=st.lists(
        st.tuples(st.booleans(), st.floats(0, 2 * RETRY_SHARED_AFTER_S), st.sampled_from("ab")),
        max_size=60,
    )
)
async def test_every_hit_is_counted_in_exactly_one_store(
    steps: list[tuple[bool, float, str]],
) -> None:
    setup = Setup()
    for up, gap, key in steps:
        setup.shared.down = not up
        setup.timer.now += gap
        await setup.counters.hit(key, WINDOW, START)
    for key in "ab":
        hits = sum(1 for _, _, k in steps if k == key)
        slot = (key, START)
        assert setup.shared.counts.get(slot, 0) + setup.local.counts.get(slot, 0) == hits
    assert setup.events.store_events.count("counted locally") == sum(setup.local.counts.values())
