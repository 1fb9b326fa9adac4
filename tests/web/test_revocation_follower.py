"""The revocation log's follower of each `serve` worker: its rounds on a scripted wait (no
sleeping), the position carried from round to round, the heal after each, failures logged
once per incident, and its wiring with and without Redis."""

import asyncio
import logging
from pathlib import Path

import pytest

from adapters.replicated_revocations import RedisState, ReplicatedRevokedSessions
from domain.errors import StoreUnavailable
from domain.usecases.follow_revocations import Followed, LogPosition
from entrypoints.background import (
    FOLLOW_INTERVAL_S,
    FOLLOWER_LOGGER,
    RevocationFollower,
    start_task,
)
from entrypoints.configuration import Settings
from entrypoints.container import Container, started
from tests.support.servers import LOOPBACK, free_port
from tests.support.waits import ScriptedWait


class Follow:
    """Answers each round from a script: the next position (one further), or an error."""

    def __init__(self, *errors: Exception | None) -> None:
        self.errors = list(errors)
        self.asked: list[LogPosition | None] = []

    async def __call__(self, position: LogPosition | None) -> Followed:
        self.asked.append(position)
        error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error
        cursor = 10 if position is None else position.cursor + 1
        return Followed(LogPosition(cursor), denied=cursor)


class Heal:
    def __init__(self) -> None:
        self.calls = 0
        self.error: Exception | None = None

    async def __call__(self) -> None:
        self.calls += 1
        if self.error is not None:
            raise self.error


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == FOLLOWER_LOGGER]


async def test_start_up_reads_the_live_revocations_heals_and_says_how_many(
    caplog: pytest.LogCaptureFixture,
) -> None:
    follow, heal = Follow(), Heal()
    follower = RevocationFollower(follow, heal)

    with caplog.at_level(logging.INFO, logger=FOLLOWER_LOGGER):
        assert await follower.catch_up() == 10

    assert follow.asked == [None]
    assert follower.position == LogPosition(10)
    assert heal.calls == 1
    assert lines(caplog) == [(logging.INFO, "10 live revocations read from the revocation log")]


async def test_a_start_up_that_cannot_read_the_log_fails() -> None:
    follower = RevocationFollower(Follow(StoreUnavailable("the database did not answer")))

    with pytest.raises(StoreUnavailable):
        await follower.catch_up()


async def test_every_round_goes_on_from_where_the_last_one_left_off() -> None:
    follow, heal, wait = Follow(), Heal(), ScriptedWait(rounds=3)
    follower = RevocationFollower(follow, heal, wait=wait)
    await follower.catch_up()

    await follower.run(asyncio.Event())

    assert follow.asked == [None, LogPosition(10), LogPosition(11), LogPosition(12)]
    assert heal.calls == 4
    assert wait.delays == [FOLLOW_INTERVAL_S] * 4


async def test_a_stop_before_the_first_wait_ends_means_no_round() -> None:
    follow = Follow()
    stop = asyncio.Event()
    stop.set()

    await RevocationFollower(follow).run(stop)

    assert follow.asked == []


async def test_failing_rounds_are_one_incident_logged_at_its_start_and_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = StoreUnavailable("the database did not answer")
    follow = Follow(None, down, down, down, None, None)
    follower = RevocationFollower(follow)
    await follower.catch_up()

    caplog.clear()  # what the set-up logged is not under test

    with caplog.at_level(logging.INFO, logger=FOLLOWER_LOGGER):
        outcomes = [await follower.run_round() for _ in range(5)]

    assert outcomes == [False, False, False, True, True]
    # The failed rounds kept the position: the log is read on from there.
    assert follow.asked[1:] == [LogPosition(10)] * 4 + [LogPosition(11)]
    assert lines(caplog) == [
        (logging.ERROR, "revocation log unreadable: retrying every round"),
        (logging.WARNING, "revocation log readable again"),
    ]
    failed = next(r for r in caplog.records if r.name == FOLLOWER_LOGGER)
    assert failed.exc_info is not None
    assert failed.exc_info[1] is down


async def test_a_heal_that_fails_fails_the_round_without_losing_the_position() -> None:
    follow, heal = Follow(), Heal()
    follower = RevocationFollower(follow, heal)
    await follower.catch_up()
    heal.error = StoreUnavailable("the database did not answer")

    assert await follower.run_round() is False

    heal.error = None
    assert follower.position == LogPosition(11)
    assert await follower.run_round() is True
    assert follow.asked[-1] == LogPosition(11)


async def test_stopping_cancels_a_round_in_flight() -> None:
    started_round, cancelled = asyncio.Event(), asyncio.Event()

    async def endless(position: LogPosition | None) -> Followed:
        started_round.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("never")

    stop = start_task(RevocationFollower(endless, wait=ScriptedWait(rounds=1)).run, "follower")
    await started_round.wait()

    await stop()

    assert cancelled.is_set()


async def test_the_follower_heals_the_deny_list_only_where_redis_shares_it(
    tmp_path: Path,
) -> None:
    alone = Settings.for_dev({}, state_dir=tmp_path)
    unreachable = f"redis://{LOOPBACK}:{free_port()}/0"
    shared = Settings.for_dev({"REDIS_URL": unreachable}, state_dir=tmp_path)
    await _migrated(alone)
    async with started(Container(settings=alone)) as container:
        assert container.revoked_sessions() is container.local_revocations()
        assert await container.revocation_follower().catch_up() == 0
    async with started(Container(settings=shared)) as container:
        revoked = container.revoked_sessions()
        assert isinstance(revoked, ReplicatedRevokedSessions)
        before = revoked.state

        assert await container.revocation_follower().catch_up() == 0

        assert (before, revoked.state) == (RedisState.UNCHECKED, RedisState.AWAY)


async def _migrated(settings: Settings) -> None:
    async with started(Container(settings=settings)) as container:
        await container.upgrade_schema()
