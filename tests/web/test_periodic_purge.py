"""The periodic purge of `serve`: its schedule, its failures and its stop, driven without
sleeping (a scripted wait stands in for the clock); and its one setting."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from domain.errors import StoreUnavailable
from domain.purge_schedule import JITTER
from domain.usecases.purge_expired import Purged
from entrypoints.background import (
    PURGE_LOGGER,
    PeriodicPurge,
    start_periodic_purge,
    wait_or_stop,
)
from entrypoints.configuration import ConfigError, Settings
from entrypoints.container import Container, started
from tests.support.waits import ScriptedWait

ONE_ROUND = Purged(expired_sessions=1, revoked_sessions=2, idle_sessions=3, revocations=4)


class Purges:
    """A purge that answers each round from a script: a result, or an error to raise."""

    def __init__(self, *outcomes: Purged | Exception) -> None:
        self._outcomes = list(outcomes)
        self.rounds = 0

    async def __call__(self) -> Purged:
        self.rounds += 1
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def lowest(low: float, high: float) -> float:
    assert (low, high) == JITTER
    return low


async def test_each_round_waits_the_jittered_interval_first() -> None:
    wait, purges = ScriptedWait(rounds=3), Purges(ONE_ROUND, ONE_ROUND, ONE_ROUND)
    periodic = PeriodicPurge(purges, 600, draw=lowest, wait=wait)

    await periodic.run(asyncio.Event())

    assert purges.rounds == 3
    assert wait.delays == [300.0] * 4


def test_the_delay_spans_half_to_one_and_a_half_intervals() -> None:
    assert PeriodicPurge(Purges(), 600, draw=lambda low, high: low).schedule.next_delay() == 300
    assert PeriodicPurge(Purges(), 600, draw=lambda low, high: high).schedule.next_delay() == 900


async def test_a_stop_before_the_first_round_means_no_round() -> None:
    purges = Purges()
    stop = asyncio.Event()
    stop.set()

    await PeriodicPurge(purges, 600).run(stop)

    assert purges.rounds == 0


async def test_a_failed_round_is_logged_and_the_next_one_still_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    purges = Purges(StoreUnavailable("the database did not answer"), ONE_ROUND)
    periodic = PeriodicPurge(purges, 600, wait=ScriptedWait(rounds=2))

    with caplog.at_level(logging.INFO, logger=PURGE_LOGGER):
        await periodic.run(asyncio.Event())

    assert purges.rounds == 2
    failed, purged = [r for r in caplog.records if r.name == PURGE_LOGGER]
    assert (failed.levelno, failed.getMessage()) == (logging.ERROR, "purge_failed")
    assert failed.exc_info is not None
    assert isinstance(failed.exc_info[1], StoreUnavailable)
    assert (purged.levelno, purged.getMessage()) == (logging.INFO, "purged")
    assert purged.__dict__["revocations"] == 4
    assert purged.__dict__["idle_sessions"] == 3


async def test_a_round_answers_what_it_removed_or_none_when_it_failed() -> None:
    periodic = PeriodicPurge(Purges(ONE_ROUND, RuntimeError("bug")), 600)

    assert await periodic.run_round() == ONE_ROUND
    assert await periodic.run_round() is None


def test_an_interval_of_zero_is_not_a_schedule() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        PeriodicPurge(Purges(), 0)


async def test_the_real_wait_ends_on_the_stop_or_when_its_time_is_up() -> None:
    stop = asyncio.Event()
    assert await wait_or_stop(stop, 0) is False
    stop.set()
    assert await wait_or_stop(stop, 3600) is True


async def test_stopping_cancels_a_round_in_flight_and_ends_the_task() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def endless_round() -> Purged:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Purged()

    stop = start_periodic_purge(PeriodicPurge(endless_round, 600, wait=ScriptedWait(rounds=1)))
    await started.wait()

    await stop()

    assert cancelled.is_set()


async def test_stopping_a_waiting_schedule_ends_it_without_a_round() -> None:
    purges = Purges()
    waiting = asyncio.Event()

    async def wait(stop: asyncio.Event, seconds: float) -> bool:
        waiting.set()
        await stop.wait()
        return True

    stop = start_periodic_purge(PeriodicPurge(purges, 600, wait=wait))
    await waiting.wait()

    await stop()

    assert purges.rounds == 0


async def test_without_a_schedule_stopping_does_nothing() -> None:
    stop: Callable[[], Awaitable[None]] = start_periodic_purge(None)
    await stop()


# The setting ------------------------------------------------------------------------------------


async def test_purge_interval_defaults_to_an_hour_and_zero_turns_it_off(tmp_path: Path) -> None:
    assert Settings.for_dev({}).purge_interval_s == 3600
    assert Settings.for_dev({"PURGE_INTERVAL_S": "90.5"}).purge_interval_s == 90.5

    off = Settings.for_dev({"PURGE_INTERVAL_S": "0"}, state_dir=tmp_path)
    on = Settings.for_dev({"PURGE_INTERVAL_S": "60"}, state_dir=tmp_path)
    async with started(Container(settings=off)) as container:
        assert container.periodic_purge() is None
    async with started(Container(settings=on)) as container:
        assert isinstance(container.periodic_purge(), PeriodicPurge)


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan"])
def test_a_bad_purge_interval_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.for_dev({"PURGE_INTERVAL_S": value})
    assert refused.value.variable == "PURGE_INTERVAL_S"
