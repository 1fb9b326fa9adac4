"""Work beside the requests in each worker: the tasks `serve` runs from the app's lifespan (the
revocation follower, `RevocationFollower`, and the periodic purge, `PeriodicPurge`) and how they
wait and stop; and the `BackgroundTasks` that run work a request started after its answer (the
`BackgroundWork` port, decision 0021), held until then by the app's `after_the_answer`
middleware.

The follower: at start-up, before the first request, it reads the revocation log's live entries
into the process's deny-list; then, every `FOLLOW_INTERVAL_S`, what was appended since
(`FollowRevocations`), so a revocation made by any other process reaches this one within a few
seconds, with or without Redis. After each round it lets a shared deny-list heal (Redis back,
or back empty: refilled from the log). A round that fails is logged once per incident, never
fatal.

The purge: when it runs is `domain.purge_schedule`'s rule; here are the rounds' logs and the
task, never fatal.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from domain.purge_schedule import PurgeSchedule
from domain.usecases.follow_revocations import Followed, LogPosition
from domain.usecases.purge_expired import Purged

_log = logging.getLogger("connect_backend.background")

Work = Callable[[], Awaitable[None]]


class _Held:
    """The work a request started, held until it is answered: (where it runs, the work, its
    name). Closed once answered: a task the request left behind (it inherits the request's
    context) starts its work at once."""

    def __init__(self) -> None:
        self.works: list[tuple[BackgroundTasks, Work, str]] = []
        self.open = True


_held: ContextVar[_Held | None] = ContextVar("held_background_work", default=None)

# Past this many unfinished pieces (a mail server down under a flood of requests) new work is
# dropped, with a warning, rather than held in memory without bound.
MAX_PENDING = 1000
# How long shutdown waits for unfinished work before cancelling it.
DRAIN_S = 10.0
# A request's work waits this long once its app has returned: a server may finish writing the
# answer from the event loop after that, and work that ran first would delay it. Far longer than
# that takes; nothing a mailed link needs is that urgent.
ANSWER_WRITTEN_S = 0.05


class BackgroundTasks:
    """Runs each piece of work as its own task; a failure is logged under the work's name."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self._max_pending = max_pending
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Callable[[], Awaitable[None]], name: str) -> None:
        held = _held.get()
        if held is not None and held.open:
            held.works.append((self, work, name))
            return
        self.start_after(0.0, work, name)

    def start_after(self, delay_s: float, work: Work, name: str) -> None:
        """`start`, the work waiting `delay_s` first (pending meanwhile, drained at shutdown)."""
        if len(self._tasks) >= self._max_pending:
            _log.warning("Too much background work pending: a %s was dropped", name)
            return
        task = asyncio.get_running_loop().create_task(self._run(delay_s, work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout_s: float = DRAIN_S) -> None:
        """Wait up to `timeout_s` for the unfinished work, then cancel what is left."""
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=timeout_s)
        for task in unfinished:
            _log.warning("Background %s cancelled at shutdown", task.get_name())
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)

    @staticmethod
    async def _run(delay_s: float, work: Work, name: str) -> None:
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        try:
            await work()
        except Exception as exc:
            # The error's kind and message only: a traceback's frames may hold a mailed link.
            _log.error("Background %s failed: %s: %s", name, type(exc).__name__, exc)


def after_the_answer(app: ASGIApp, *, delay_s: float = ANSWER_WRITTEN_S) -> ASGIApp:
    """`app`, whose requests' background work starts `delay_s` after the app has answered.

    A server's `send` lets the loop run other tasks while it writes, and it finishes writing
    from the loop after the app returns, so work started at once would run before the answer
    leaves: the lookup and mail of a known address would make `POST /auth/recovery` slower
    than for an unknown one (decision 0021).
    """

    async def holding(scope: Scope, receive: Receive, send: Send) -> None:
        held = _Held()
        token = _held.set(held)
        try:
            await app(scope, receive, send)
        finally:
            _held.reset(token)
            held.open = False
            for tasks, work, name in held.works:
                tasks.start_after(delay_s, work, name)

    return holding


# Waits `seconds` unless `stop` is set first; says whether it was (True) or the time passed.
Wait = Callable[[asyncio.Event, float], Awaitable[bool]]


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Whether `stop` was set within `seconds` (True) or they passed first (False)."""
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return False
    return True


def start_task(
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]], name: str
) -> Callable[[], Awaitable[None]]:
    """Start `run(stop)` as a task; returns what stops it at shutdown: it sets `stop` and
    cancels work in flight, then waits for the task to end."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop), name=name)

    async def stop_it() -> None:
        stop.set()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            # Ours, unless the shutdown itself is being cancelled: then pass it on.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise

    return stop_it


FOLLOWER_LOGGER = "connect_backend.revocation_log"
# A revocation by another process reaches this one within this interval (plus one round).
FOLLOW_INTERVAL_S = 2.0

_follower_log = logging.getLogger(FOLLOWER_LOGGER)

Follow = Callable[[LogPosition | None], Awaitable[Followed]]
Heal = Callable[[], Awaitable[None]]


class RevocationFollower:
    """Runs `follow` from where it left off, then `heal` (when there is a shared deny-list),
    every `interval_s`, until told to stop."""

    def __init__(
        self,
        follow: Follow,
        heal: Heal | None = None,
        *,
        interval_s: float = FOLLOW_INTERVAL_S,
        wait: Wait = wait_or_stop,
    ) -> None:
        self.position: LogPosition | None = None
        self._follow = follow
        self._heal = heal
        self._interval_s = interval_s
        self._wait = wait
        self._failing = False

    async def catch_up(self) -> int:
        """The start-up round: every live revocation into the deny-list; how many. An error
        propagates, since a process that cannot read the log must not serve."""
        followed = await self._round()
        _follower_log.info(
            "%d live revocations read from the revocation log",
            followed.denied,
            extra={"revocations": followed.denied, "cursor": followed.position.cursor},
        )
        return followed.denied

    async def run_round(self) -> bool:
        """One round; whether it succeeded. A failure is logged when it starts an incident, and
        the end of the incident when a round succeeds again."""
        try:
            await self._round()
        except Exception:
            if not self._failing:
                self._failing = True
                _follower_log.exception("revocation log unreadable: retrying every round")
            return False
        if self._failing:
            self._failing = False
            _follower_log.warning("revocation log readable again")
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Wait, run a round, and again, until `stop` is set."""
        while not await self._wait(stop, self._interval_s):
            await self.run_round()

    async def _round(self) -> Followed:
        followed = await self._follow(self.position)
        self.position = followed.position
        if self._heal is not None:
            await self._heal()
        return followed


PURGE_LOGGER = "connect_backend.purge"

_purge_log = logging.getLogger(PURGE_LOGGER)


class PeriodicPurge:
    """Runs `purge` on its schedule (about every `interval_s` seconds) until told to stop."""

    def __init__(
        self,
        purge: Callable[[], Awaitable[Purged]],
        interval_s: float,
        *,
        draw: Callable[[float, float], float] = random.uniform,
        wait: Wait = wait_or_stop,
    ) -> None:
        self.schedule = PurgeSchedule(interval_s, draw)
        self._purge = purge
        self._wait = wait

    async def run_round(self) -> Purged | None:
        """One purge; a failure is logged and swallowed, so that the next round still comes."""
        try:
            purged = await self._purge()
        except Exception:
            _purge_log.exception("purge_failed")
            return None
        _purge_log.info(
            "purged",
            extra={
                "expired_sessions": purged.expired_sessions,
                "revoked_sessions": purged.revoked_sessions,
                "idle_sessions": purged.idle_sessions,
                "revocations": purged.revocations,
                "connect_tokens": purged.connect_tokens,
            },
        )
        return purged

    async def run(self, stop: asyncio.Event) -> None:
        """Wait, purge, and again, until `stop` is set."""
        await self.schedule.run(self.run_round, functools.partial(self._wait, stop))


def start_periodic_purge(periodic: PeriodicPurge | None) -> Callable[[], Awaitable[None]]:
    """Start `periodic` as a task (if there is one); returns what stops it at shutdown.

    Stopping sets the event and cancels a round in flight: each batch is its own transaction,
    so a cancelled one leaves nothing half done, and the next start purges the rest.
    """
    if periodic is None:

        async def nothing_to_stop() -> None:
            return None

        return nothing_to_stop
    return start_task(periodic.run, "periodic-purge")
